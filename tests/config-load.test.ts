import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, configPathFromArgv, loadConfig, resolveImageSources } from '../pipeline/config/index.ts';
import { CIFAR_MODEL } from '../pipeline/config/defaults.ts';
import { transferSettings } from '../pipeline/experiments/settings.ts';
import { probeSets } from '../pipeline/experiments/transfer-sets.ts';
import { memoryLog } from '../pipeline/util/log.ts';
import { REPO_ROOT } from '../pipeline/util/paths.ts';

let dir: string;
const noEnv = {} as NodeJS.ProcessEnv;
const defineConfigUrl = pathToFileURL(path.join(REPO_ROOT, 'pipeline/config/define-config.ts')).href;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'atlas-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadConfig', () => {
  it('falls back to the default gallery when there is no config file', async () => {
    const config = await loadConfig({ cwd: dir, env: noEnv });
    expect(config.configFile).toBeNull();
    expect(config.models).toEqual([
      // MobileNet analyses the first 12 photos, which include the explainer's 4 picker photos (see defaults.ts).
      expect.objectContaining({ id: 'mobilenet_v1_0.75_224', catalog: 'model:mobilenet_v1_0.75_224', analyses: { images: 12 } }),
      // The second default model analyses fewer photos and puts fewer units in the atlas (see defaults.ts).
      expect.objectContaining({ id: 'darknet_tiny', catalog: 'model:darknet_tiny', analyses: { images: 2 } }),
      // The third is trained by the build and shown on its own dataset.
      expect.objectContaining({ id: 'cifar_small', trained: 'cifar10', dataset: { catalog: 'dataset:cifar10-test-1000', limit: undefined } }),
    ]);
    expect(config.images).toEqual({ showcase: { catalog: 'images:showcase' }, extra: [] });
    expect(config.dataset).toEqual({ catalog: 'dataset:imagenet-sample-1000', limit: undefined });
    expect(config.cacheDir).toBe(path.join(REPO_ROOT, '.atlas', 'cache'));
  });

  it('loads a .ts config, resolving relative paths against its folder, and expands a folder of images', async () => {
    await mkdir(path.join(dir, 'photos', 'nested'), { recursive: true });
    for (const name of ['b.jpg', 'a10.png', 'a2.PNG', 'notes.txt', '.hidden.jpg', 'nested/c.webp']) {
      await writeFile(path.join(dir, 'photos', name), 'x');
    }
    await writeFile(
      path.join(dir, 'atlas.config.ts'),
      `import { defineConfig } from ${JSON.stringify(defineConfigUrl)};
       export default defineConfig({
         mirror: './mirror',
         models: [{ id: 'mine', modelUrl: './models/m/model.json', labels: './models/m/labels.json', preprocess: { scale: 1 / 255, offset: 0 } }],
         images: { showcase: false, extra: ['./photos/', 'https://example.org/pics/Sunset%20Beach.jpg', { url: 'photos/b.jpg', id: 'b', credit: 'me' }] },
         dataset: false,
       });`,
    );
    const config = await loadConfig({ cwd: dir, env: noEnv });
    expect(config.configFile).toBe(path.join(dir, 'atlas.config.ts'));
    expect(config.mirror).toBe(path.join(dir, 'mirror'));
    expect(config.models[0]).toMatchObject({ modelUrl: path.join(dir, 'models/m/model.json'), labels: path.join(dir, 'models/m/labels.json') });
    expect(config.dataset).toBeNull();

    const { gallery, dataset } = await resolveImageSources(config, { log: memoryLog() });
    expect(dataset).toEqual([]);
    const photos = path.join(dir, 'photos');
    expect(gallery.map((s) => [s.id, s.path ?? s.url])).toEqual([
      ['a2', path.join(photos, 'a2.PNG')],
      ['a10', path.join(photos, 'a10.png')],
      ['b', path.join(photos, 'b.jpg')],
      ['nested-c', path.join(photos, 'nested/c.webp')],
      ['sunset-beach', 'https://example.org/pics/Sunset%20Beach.jpg'],
      ['b-2', path.join(photos, 'b.jpg')],
    ]);
    for (const s of gallery) if (s.path) expect(path.isAbsolute(s.path)).toBe(true);
    expect(gallery.at(-1)).toMatchObject({ credit: 'me', source: 'user' });
  });

  it('reads .mjs and .json configs given by path or ATLAS_CONFIG, and lets env ATLAS_MIRROR win', async () => {
    await writeFile(path.join(dir, 'custom.mjs'), `export default { mirror: null, dataset: { catalog: 'dataset:caltech101-mini-25', limit: 5 } };`);
    const fromPath = await loadConfig({ path: 'custom.mjs', cwd: dir, env: noEnv });
    expect(fromPath.mirror).toBeNull();
    expect(fromPath.dataset).toEqual({ catalog: 'dataset:caltech101-mini-25', limit: 5 });
    const { dataset } = await resolveImageSources(fromPath);
    expect(dataset).toHaveLength(5);
    expect(dataset[0]).toMatchObject({ className: 'airplanes', source: 'catalog' });

    await writeFile(path.join(dir, 'c.json'), JSON.stringify({ images: { extra: [] } }));
    const fromEnv = await loadConfig({ cwd: REPO_ROOT, env: { ATLAS_CONFIG: path.join(dir, 'c.json'), ATLAS_MIRROR: '/elsewhere' } });
    expect(fromEnv.configFile).toBe(path.join(dir, 'c.json'));
    expect(fromEnv.mirror).toBe('/elsewhere');
    expect(fromEnv.images.showcase).toEqual({ catalog: 'images:showcase' });
  });

  it('names the file and the field for a schema error', async () => {
    const file = path.join(dir, 'atlas.config.json');
    await writeFile(file, JSON.stringify({ models: [{ id: 'a', catalog: 'model:mobilenet_v1_0.75_224' }, { id: 'b', modelUrl: 'm.json', preprocess: { scale: 'big' } }] }));
    const error = await loadConfig({ cwd: dir, env: noEnv }).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain(file);
    expect(error.message).toContain('models[1].preprocess.scale');
  });

  it.each([
    [{ dataset: { catalog: 'dataset:imagenet-sample-1000', folder: './x' } }, 'dataset.folder', /only one of/],
    [{ dataset: { folder: 42 } }, 'dataset.folder', /string/],
    [{ modles: [] }, '', /modles/],
    [{ models: [{ id: 'a' }] }, 'models[0]', /one of catalog, modelUrl/],
    [{ models: [{ id: 'a', catalog: 'model:nope' }] }, 'models[0].catalog', /unknown asset collection/],
    [{ images: { extra: [{ url: './a.jpg', licence: 'CC0' }] } }, 'images.extra[0]', /licence/],
    [{ maps: { perLayer: ['umap-2d'] } }, 'maps.perLayer', /tsne-2d/],
    [{ maps: { perLayer: ['tsne-4d'] } }, 'maps.perLayer[0]', /tsne-2d/],
    [{ experiments: { transfer: { testPerClass: 101 } } }, 'experiments.transfer.testPerClass', /100/],
  ])('reports %j at %s', async (raw, field, problem) => {
    const file = path.join(dir, 'atlas.config.json');
    await writeFile(file, JSON.stringify(raw));
    const error = await loadConfig({ cwd: dir, env: noEnv }).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message.startsWith(`${file}: ${field}`)).toBe(true);
    expect(error.message).toMatch(problem);
  });

  it('reports a missing image folder against its config entry', async () => {
    await writeFile(path.join(dir, 'atlas.config.json'), JSON.stringify({ images: { extra: ['./missing/'] } }));
    const config = await loadConfig({ cwd: dir, env: noEnv });
    await expect(resolveImageSources(config)).rejects.toThrow(/atlas\.config\.json: images\.extra\[0\]: no such file or folder/);
  });

  it('computes less by default where the full config restores it: per-layer map layouts, transfer sizes', async () => {
    const lighter = await loadConfig({ cwd: dir, env: noEnv });
    expect(lighter.maps).toEqual({ perLayer: ['tsne-2d'] });
    expect(lighter.experiments).toEqual({ transfer: { trainPerClass: 60, testPerClass: 30 } });
    const full = await loadConfig({ path: path.join(REPO_ROOT, 'atlas.full.config.ts'), env: noEnv });
    expect(full.maps).toEqual({ perLayer: ['tsne-2d', 'tsne-3d', 'umap-2d'] });
    expect(full.experiments).toEqual({ transfer: { trainPerClass: 150, testPerClass: 50 } });
    expect(full.models.map((m) => [m.id, m.analyses, m.atlas])).toEqual([
      ['mobilenet_v1_0.75_224', undefined, undefined],
      ['darknet_tiny', undefined, undefined],
      // The trained 32 px model keeps its small feature visualizations: larger ones show nothing more.
      ['cifar_small', undefined, CIFAR_MODEL.atlas],
    ]);
    const probes = probeSets(transferSettings(full.experiments.transfer));
    const cifar = probes.find((p) => p.id === 'cifar10')!;
    expect([cifar.train.length, cifar.test.length]).toEqual([1500, 500]);
    expect(cifar.split).not.toContain('atlas.full.config.ts');
    const light = probeSets(transferSettings(lighter.experiments.transfer)).find((p) => p.id === 'cifar10')!;
    expect([light.train.length, light.test.length]).toEqual([600, 300]);
    expect(light.split).toContain('npm run build -- --config atlas.full.config.ts');
  });


  it('accepts the committed example config', async () => {
    const config = await loadConfig({ path: path.join(REPO_ROOT, 'atlas.config.example.ts'), env: noEnv });
    expect(config.models.map((m) => m.id)).toEqual(['mobilenet_v1_0.75_224', 'my-net']);
  });

  it('reads --config from argv', () => {
    expect(configPathFromArgv(['build', '--config', 'a.ts'])).toBe('a.ts');
    expect(configPathFromArgv(['--config=b.mjs'])).toBe('b.mjs');
    expect(configPathFromArgv(['build'])).toBeUndefined();
  });
});
