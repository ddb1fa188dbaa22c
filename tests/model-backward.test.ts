import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { layerOf } from '../pipeline/model/atlas-model.ts';
import { runLayers } from '../pipeline/model/activations.ts';
import { preprocess } from '../pipeline/model/image-batch.ts';
import { inputAttribution, layerAttribution } from '../pipeline/model/attribution.ts';
import { reluRules } from '../pipeline/model/relu-rule.ts';
import { resolveTarget, type Target } from '../pipeline/model/targets.ts';
import { maxAbsDiff, seededTensor, useWasmWithCpuReference } from './helpers/backends.ts';
import { referenceInputGradient } from './helpers/reference-backprop.ts';
import { tinyAtlas, tinyBranches, tinyChain, tinyDarknet } from './helpers/tiny-models.ts';

function image(shape: number[], seed: number): tf.Tensor4D {
  return tf.tidy(() => tf.add(tf.mul(seededTensor(shape, seed), 127.5), 127.5)) as tf.Tensor4D;
}

const relErr = (a: Float32Array, b: Float32Array) => maxAbsDiff(a, b) / Math.max(1e-6, ...Array.from(b, Math.abs));

describe.each(['wasm', 'cpu'])('backward rules on %s', (backend) => {
  beforeAll(async () => {
    await useWasmWithCpuReference();
    await tf.setBackend(backend);
  });

  const models = { chain: () => tinyAtlas(tinyChain()), branches: () => tinyAtlas(tinyBranches()), darknet: () => tinyAtlas(tinyDarknet()) };
  for (const [name, make] of Object.entries(models)) {
    /** A class, the strongest unit of a middle layer (a dead one would test nothing), a whole channel. */
    const targets = async (m: ReturnType<typeof make>, x: tf.Tensor4D): Promise<Target[]> => {
      const spatial = m.layers.filter((l) => l.spatial);
      const mid = spatial[Math.floor(spatial.length / 2)];
      const act = runLayers(m, x, [mid.id])[mid.id];
      const flat = (await tf.argMax(tf.reshape(act, [-1])).data())[0];
      const [, w, c] = mid.shape;
      const lastChannels = (await tf.max(runLayers(m, x, [spatial.at(-1)!.id])[spatial.at(-1)!.id], [0, 1, 2]).data());
      return [
        { kind: 'class', index: 1 },
        { kind: 'unit', layer: mid.id, channel: flat % c, y: Math.floor(flat / (w * c)), x: Math.floor(flat / c) % w },
        { kind: 'channel', layer: spatial.at(-1)!.id, channel: lastChannels.indexOf(Math.max(...lastChannels)) },
      ];
    };
    for (const rule of reluRules) {
      it(`${name}: ${rule} matches the node-by-node reference for every target kind`, async () => {
        const m = make();
        const x = preprocess(m, image([1, ...m.inputSize, 3], 5));
        for (const target of await targets(m, x)) {
          const fast = new Float32Array(await inputAttribution(m, x, target, rule).data());
          const { node, weights } = resolveTarget(m, target, 1);
          const original = [...m.graph.nodes].reverse().find((n) => m.runNode(n.name) === node)!.name;
          const ref = await referenceInputGradient(m, x, original, weights, rule);
          expect(ref.some((v) => v !== 0), `${target.kind} ${JSON.stringify((target as { layer?: string }).layer)}`).toBe(true);
          expect(relErr(fast, ref)).toBeLessThan(1e-4);
        }
      });
    }
  }

  it('the three rules really differ (a broken rule switch would make them equal)', async () => {
    const m = tinyAtlas(tinyChain());
    const x = preprocess(m, image([1, 16, 16, 3], 9));
    const maps = await Promise.all(reluRules.map(async (r) => new Float32Array(await inputAttribution(m, x, { kind: 'class', index: 2 }, r).data())));
    expect(relErr(maps[0], maps[1])).toBeGreaterThan(0.05);
    expect(relErr(maps[1], maps[2])).toBeGreaterThan(0.05);
    // Guided keeps only what both the forward mask and the rectified signal let through.
    const guided = maps[2];
    expect(guided.filter((v) => v !== 0).length).toBeLessThanOrEqual(maps[1].filter((v) => v !== 0).length);
  });

  it('a batch gives each item the gradient of its own target', async () => {
    const m = tinyAtlas(tinyChain());
    const x = preprocess(m, image([2, 16, 16, 3], 11));
    const both = await inputAttribution(m, x, { kind: 'class', index: [0, 3] }, 'guided').data();
    const [a, b] = tf.split(x, 2);
    const one = await inputAttribution(m, a as tf.Tensor4D, { kind: 'class', index: 0 }, 'guided').data();
    const two = await inputAttribution(m, b as tf.Tensor4D, { kind: 'class', index: 3 }, 'guided').data();
    const n = one.length;
    expect(maxAbsDiff(new Float32Array(both.slice(0, n)), new Float32Array(one))).toBeLessThan(1e-5);
    expect(maxAbsDiff(new Float32Array(both.slice(n)), new Float32Array(two))).toBeLessThan(1e-5);
  });

  it('layer gradient agrees with the chain rule through the input gradient', async () => {
    // For a linear head on a layer, d(target)/d(layer) must equal the head's weights.
    const m = tinyAtlas(tinyChain());
    const x = preprocess(m, image([1, 16, 16, 3], 13));
    const gap = layerOf(m, 'gap');
    const { gradient } = layerAttribution(m, x, { kind: 'class', index: 2 }, gap.id);
    const kernel = m.graph.byName.get('logits')!.dense!.kernel;
    const column = tf.squeeze(tf.slice(kernel, [0, 2], [-1, 1]));
    expect(maxAbsDiff(new Float32Array(await gradient.data()), new Float32Array(await column.data()))).toBeLessThan(1e-5);
  });
});
