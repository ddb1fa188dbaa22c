import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveModelFiles } from '../pipeline/assets/model-files.ts';
import { collection } from '../pipeline/assets/catalog.ts';
import { classIndexOf } from '../pipeline/steps/check-images.ts';
import { sha256Buffer } from '../pipeline/util/hash.ts';
import { memoryLog } from '../pipeline/util/log.ts';
import { REPO_ROOT } from '../pipeline/util/paths.ts';

let root: string;
let modelDir: string;
const mirror = [process.env.ATLAS_MIRROR, path.resolve(REPO_ROOT, '..', 'shared', 'mirror')].find(
  (dir): dir is string => Boolean(dir && existsSync(dir)),
);

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'atlas-model-'));
  modelDir = path.join(root, 'my-net');
  await mkdir(path.join(modelDir, 'w'), { recursive: true });
  const modelJson = {
    modelTopology: { model_config: { config: { layers: [{ config: { batch_input_shape: [null, 96, 96, 3] } }] } } },
    weightsManifest: [{ paths: ['w/b-shard2', 'w/a-shard1'], weights: [] }, { paths: ['c-shard3'], weights: [] }],
  };
  await writeFile(path.join(modelDir, 'model.json'), JSON.stringify(modelJson));
  for (const shard of ['w/b-shard2', 'w/a-shard1', 'c-shard3']) await writeFile(path.join(modelDir, shard), `bytes of ${shard}`);
  await writeFile(path.join(modelDir, 'labels.txt'), 'cat\ndog\n\n');
  // A 22k-style list whose model uses only the first lines, as Darknet's does.
  await writeFile(path.join(modelDir, 'long.list'), 'kit fox\nEnglish setter\ntabby\nextra one\nextra two\n');
  await writeFile(path.join(modelDir, 'wnids.list'), 'n02119789\nn02100735\nn02123045\nn00000001\nn00000002\n');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('resolveModelFiles', () => {
  const fetchOpts = () => ({ cacheDir: path.join(root, 'cache'), mirrorDir: null, progress: false, log: memoryLog() });

  it('resolves a user model by path: shards in manifest order, labels, inferred input size', async () => {
    const files = await resolveModelFiles({ id: 'my-net', modelUrl: path.join(modelDir, 'model.json'), labels: path.join(modelDir, 'labels.txt') }, fetchOpts());
    expect(files.weightPaths.map((p) => path.relative(modelDir, p))).toEqual(['w/b-shard2', 'w/a-shard1', 'c-shard3']);
    expect(files.labels).toEqual(['cat', 'dog']);
    expect(files.inputSize).toBe(96);
    expect(files.preprocess).toMatchObject({ scale: 1 / 127.5, offset: -1 });
    expect(files.sha256['c-shard3']).toBe(sha256Buffer('bytes of c-shard3'));
    expect(files.contentHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes the content hash when preprocessing changes, and falls back to no labels with a warning', async () => {
    const opts = fetchOpts();
    const spec = { id: 'my-net', modelUrl: path.join(modelDir, 'model.json'), labels: ['a', 'b'] };
    const a = await resolveModelFiles(spec, opts);
    const b = await resolveModelFiles({ ...spec, preprocess: { scale: 1 / 255, offset: 0 } }, opts);
    expect(a.contentHash).not.toBe(b.contentHash);
    const unlabeled = await resolveModelFiles({ id: 'x', modelUrl: path.join(modelDir, 'model.json') }, opts);
    expect(unlabeled.labels).toEqual([]);
    expect(opts.log.warnings.join('\n')).toMatch(/no labels/);
  });

  it('takes the first N lines of a labels file and maps wnid-labelled images by wnid, not by their Keras index', async () => {
    const list = (file: string, lines: number) => ({ file: path.join(modelDir, file), lines });
    const files = await resolveModelFiles({ id: 'sliced', modelUrl: path.join(modelDir, 'model.json'), labels: list('long.list', 3), wnids: list('wnids.list', 3) }, fetchOpts());
    expect(files.labels).toEqual(['kit fox', 'English setter', 'tabby']);
    expect(files.wnids).toEqual(['n02119789', 'n02100735', 'n02123045']);
    await expect(resolveModelFiles({ id: 'short', modelUrl: path.join(modelDir, 'model.json'), labels: list('long.list', 9) }, fetchOpts())).rejects.toThrow(/has 5 lines; the config asks for the first 9/);
    // The ImageNet sample's tabby (Keras index 281) is class 2 here; a model without wnids keeps the recorded index.
    const tabby = { wnid: 'n02123045', className: 'tabby', classIndex: 281 };
    expect(classIndexOf(tabby, files)).toBe(2);
    expect(classIndexOf(tabby, { labels: files.labels })).toBe(281);
    expect(classIndexOf({ ...tabby, wnid: 'n09999999' }, files)).toBe(-1);
  });

  it.skipIf(!mirror)('resolves the catalog Darknet from the mirror: 1000 labels and wnids, the sample maps into devkit order', async () => {
    const files = await resolveModelFiles({ id: 'darknet', catalog: 'model:darknet_tiny' }, { cacheDir: path.join(root, 'cache'), mirrorDir: mirror, progress: false });
    expect(files.weightPaths).toHaveLength(31);
    expect(files.labels).toHaveLength(1000);
    expect(files.wnids).toHaveLength(1000);
    expect(new Set(files.wnids).size).toBe(1000);
    expect(files.preprocess).toMatchObject({ scale: 1 / 255, offset: 0, fit: 'squash' });
    // Every sample image maps to a Darknet class whose name is its own; the orders differ (tabby: Keras 281).
    const sample = collection('dataset:imagenet-sample-1000');
    const indices = sample.map((img) => classIndexOf(img, files));
    expect(indices.every((i) => i >= 0)).toBe(true);
    expect(new Set(indices).size).toBe(1000);
    const tabby = sample.find((img) => img.wnid === 'n02123045')!;
    expect(tabby.classIndex).toBe(281);
    expect(files.labels[classIndexOf(tabby, files)]).toBe('tabby');
    expect(classIndexOf(tabby, files)).not.toBe(281);
    expect(sample.filter((img, i) => img.classIndex === indices[i]).length).toBeLessThan(100);
  });

  it.skipIf(!mirror)('resolves the catalog MobileNet from the mirror', async () => {
    const files = await resolveModelFiles(
      { id: 'mobilenet', catalog: 'model:mobilenet_v1_0.75_224' },
      { cacheDir: path.join(root, 'cache'), mirrorDir: mirror, progress: false },
    );
    expect(files.weightPaths).toHaveLength(55);
    expect(path.basename(files.weightPaths[0])).toBe('group1-shard1of1');
    expect(files.labels).toHaveLength(1000);
    expect(files.labels[0]).toMatch(/^tench/);
    expect(files.inputSize).toBe(224);
  });
});
