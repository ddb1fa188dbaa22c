import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveModelFiles } from '../pipeline/assets/model-files.ts';
import { parseUnitList } from '../pipeline/atlas/select-units.ts';
import { loadLayersModelFromFiles } from '../pipeline/model/load-model.ts';
import { memoryLog } from '../pipeline/util/log.ts';
import { saveTinyModel } from './site/tiny-gallery.ts';

/** Broken models and options fail with the cause named: the file, the tensor, the layer, the config field. */
let root: string;
let good: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'atlas-broken-model-'));
  good = path.join(root, 'good');
  await saveTinyModel(good);
});
afterAll(() => rm(root, { recursive: true, force: true }));

async function variant(name: string, edit: (dir: string) => Promise<void>): Promise<{ modelJsonPath: string; weightPaths: string[] }> {
  const dir = path.join(root, name);
  await cp(good, dir, { recursive: true });
  await edit(dir);
  return { modelJsonPath: path.join(dir, 'model.json'), weightPaths: [path.join(dir, 'weights.bin')] };
}

describe('model load errors', () => {
  it('the intact model loads', async () => {
    const model = await loadLayersModelFromFiles({ modelJsonPath: path.join(good, 'model.json'), weightPaths: [path.join(good, 'weights.bin')] });
    expect(model.layers.length).toBeGreaterThan(2);
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
  ])('a %s weight stops the load naming the tensor and the file', async (_, value) => {
    const files = await variant(`bad-${_}`, async (dir) => {
      const bytes = await readFile(path.join(dir, 'weights.bin'));
      bytes.writeFloatLE(value, 4 * 5);
      await writeFile(path.join(dir, 'weights.bin'), bytes);
    });
    const json = JSON.parse(await readFile(files.modelJsonPath, 'utf8'));
    const first = json.weightsManifest[0].weights[0].name;
    await expect(loadLayersModelFromFiles(files)).rejects.toThrow(new RegExp(`weight "${first}" holds ${_} \\(element 5 of \\d+\\) in .*weights\\.bin`));
  });

  it('an unsupported layer is named with its class before tfjs fails on its config', async () => {
    const files = await variant('conv3d', async (dir) => {
      const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
      const layers = (json.modelTopology.model_config ?? json.modelTopology).config.layers;
      const conv = layers.find((l: { class_name: string }) => l.class_name === 'Conv2D');
      conv.class_name = 'Conv3D';
      await writeFile(path.join(dir, 'model.json'), JSON.stringify(json));
    });
    await expect(loadLayersModelFromFiles(files)).rejects.toThrow(/model\.json: layer "\w+" has type Conv3D, which ConvNet Atlas cannot run yet; supported: .*Conv2D/);
  });

  it('a truncated model.json and a missing labels file name the file and the config field', async () => {
    const files = await variant('truncated', async (dir) => {
      const text = await readFile(path.join(dir, 'model.json'), 'utf8');
      await writeFile(path.join(dir, 'model.json'), text.slice(0, 100));
    });
    const opts = { cacheDir: path.join(root, 'cache'), mirrorDir: null, progress: false, log: memoryLog() };
    await expect(resolveModelFiles({ id: 't', modelUrl: files.modelJsonPath, labels: ['a'] }, opts)).rejects.toThrow(
      /model "t": .*truncated.model\.json is not valid JSON \(100 bytes\): .*position 100/,
    );
    await expect(resolveModelFiles({ id: 'g', modelUrl: path.join(good, 'model.json'), labels: path.join(root, 'nope.txt') }, opts)).rejects.toThrow(
      /model "g": labels ".*nope\.txt": /,
    );
    await expect(resolveModelFiles({ id: 'm', modelUrl: path.join(root, 'missing', 'model.json') }, opts)).rejects.toThrow(/model "m": modelUrl ".*missing.model\.json": /);
  });

  it('--units out of range is an error; a range past a small layer is cut to it', () => {
    expect(() => parseUnitList('9999', 16)).toThrow(/unit 9999 .* out of range: the layer has 16 units, 0-15/);
    expect(parseUnitList('14-63', 16)).toEqual([14, 15]);
  });
});
