import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { collection } from '../pipeline/assets/catalog.ts';
import { fetchAsset } from '../pipeline/assets/fetch-asset.ts';
import { loadImageTensorData } from '../pipeline/assets/images.ts';
import { fetchOptionsFor, loadConfig } from '../pipeline/config/index.ts';
import { topUnits } from '../pipeline/methods/top-units.ts';
import { projectUnits, type UnitPosition } from '../pipeline/methods/unit-projection.ts';
import { runPreActivations } from '../pipeline/model/activations.ts';
import { layerOf, preActivationNode, type AtlasModel } from '../pipeline/model/atlas-model.ts';
import { inputAttribution } from '../pipeline/model/attribution.ts';
import { canBackwardBatched } from '../pipeline/model/batched-backward.ts';
import { imageBatch, preprocess } from '../pipeline/model/image-batch.ts';
import { loadConfiguredModel } from '../pipeline/model/load-configured-model.ts';
import { reluRules } from '../pipeline/model/relu-rule.ts';
import { defaultMirrorDir } from '../pipeline/util/paths.ts';
import { maxAbsDiff, seededTensor, useWasmWithCpuReference } from './helpers/backends.ts';
import { tinyAtlas, tinyBranches, tinyChain, tinyDarknet } from './helpers/tiny-models.ts';

/**
 * projectUnits runs the photo forward once and sends all units' signals back together; the old
 * path ran tf.grad on the photo tiled once per unit. Both must give the same maps, for every rule.
 */
async function tiledReference(m: AtlasModel, x: tf.Tensor4D, layer: string, units: UnitPosition[], rule: (typeof reluRules)[number]) {
  const tiled = tf.tile(x, [units.length, 1, 1, 1]) as tf.Tensor4D;
  const target = { kind: 'unit' as const, layer, channel: units.map((u) => u.channel), y: units.map((u) => u.y), x: units.map((u) => u.x), preActivation: true };
  const t = inputAttribution(m, tiled, target, rule);
  const out = new Float32Array(await t.data());
  tf.dispose([t, tiled]);
  return out;
}

async function compare(m: AtlasModel, x: tf.Tensor4D, layer: string, units: UnitPosition[]) {
  for (const rule of reluRules) {
    const t = projectUnits(m, x, layer, units, rule, true);
    const fast = new Float32Array(await t.data());
    t.dispose();
    const ref = await tiledReference(m, x, layer, units, rule);
    const scale = ref.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
    expect(scale, `${layer} ${rule}`).toBeGreaterThan(0);
    expect(maxAbsDiff(fast, ref) / scale, `${layer} ${rule}`).toBeLessThan(1e-5);
  }
}

/** The strongest `n` units of a layer on x, as the projections figure picks them. */
async function strongest(m: AtlasModel, x: tf.Tensor4D, layer: string, n: number): Promise<UnitPosition[]> {
  const acts = runPreActivations(m, x, [layer]);
  const values = new Float32Array(await acts[layer].data());
  tf.dispose(Object.values(acts));
  return topUnits(values, layerOf(m, layer).shape as [number, number, number], n);
}

describe('batched backward pass (one forward pass for many units)', () => {
  beforeAll(useWasmWithCpuReference);

  const cases: [string, () => AtlasModel, string[]][] = [
    ['MobileNet-like chain (ReLU6, max-pool, depthwise)', () => tinyAtlas(tinyChain()), ['c1', 'dw2', 'pw2', 'c3']],
    ['Darknet-like (LeakyReLU, max-pool switches)', () => tinyAtlas(tinyDarknet()), ['conv1', 'conv2', 'conv3']],
    ['branches (zero padding, Add)', () => tinyAtlas(tinyBranches()), ['a', 'b']],
  ];
  for (const [name, make, layers] of cases) {
    it(`${name}: same maps as tf.grad on the tiled photo, every rule`, async () => {
      const m = make();
      const [h, w] = m.inputSize;
      const x = preprocess(m, tf.tidy(() => tf.add(tf.mul(seededTensor([1, h, w, 3], 5), 127.5), 127.5)) as tf.Tensor4D);
      for (const layer of layers) {
        expect(canBackwardBatched(m.runGraph, preActivationNode(m, layerOf(m, layer)))).toBe(true);
        await compare(m, x, layer, await strongest(m, x, layer, 5));
      }
    });
  }

  it('leaves layers behind average pooling or concatenation to tf.grad, with the same result', async () => {
    const m = tinyAtlas(tinyBranches());
    expect(canBackwardBatched(m.runGraph, preActivationNode(m, layerOf(m, 'c')))).toBe(false);
    const x = preprocess(m, tf.tidy(() => tf.add(tf.mul(seededTensor([1, 12, 12, 3], 9), 127.5), 127.5)) as tf.Tensor4D);
    await compare(m, x, 'c', await strongest(m, x, 'c', 3));
  });
});

const mirror = defaultMirrorDir();
const haveMirror = mirror != null && existsSync(mirror);

describe.skipIf(!haveMirror)('batched backward pass on the real default models', () => {
  const models: Record<string, AtlasModel> = {};
  let fetchOpts: ReturnType<typeof fetchOptionsFor>;
  beforeAll(async () => {
    await useWasmWithCpuReference();
    const config = await loadConfig({ path: undefined });
    fetchOpts = fetchOptionsFor(config);
    // Only the two pretrained ImageNet models: loading the default config's trained model would train it here.
    for (const spec of config.models.filter((s) => s.id === 'mobilenet_v1_0.75_224' || s.id === 'darknet_tiny')) {
      models[spec.id] = await loadConfiguredModel(spec, fetchOpts);
    }
  }, 120_000);

  for (const [id, layers] of [
    ['mobilenet_v1_0.75_224', ['conv_dw_6', 'conv_pw_13']],
    ['darknet_tiny', ['conv2d_12']],
  ] as const) {
    it(`${id}: the 9 strongest units of ${layers.join(', ')} on chelsea.png match the tiled tf.grad`, async () => {
      const m = models[id];
      const entry = collection('images:showcase').find((e) => e.url.endsWith('chelsea.png'))!;
      const x = imageBatch(m, [await loadImageTensorData(await fetchAsset(entry, fetchOpts), 224, { fit: m.preprocess.fit })]);
      for (const layer of layers) {
        expect(canBackwardBatched(m.runGraph, preActivationNode(m, layerOf(m, layer)))).toBe(true);
        await compare(m, x, layer, await strongest(m, x, layer, 9));
      }
    }, 300_000);
  }
});
