import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { execute } from '../pipeline/model/executor.ts';
import { graphFromLayersModel } from '../pipeline/model/from-layers-model.ts';
import { preprocess } from '../pipeline/model/image-batch.ts';
import { projectUnits } from '../pipeline/methods/unit-projection.ts';
import { meanPairwiseCorrelation } from '../pipeline/methods/projection-similarity.ts';
import { inputAttribution } from '../pipeline/model/attribution.ts';
import { layerOf } from '../pipeline/model/atlas-model.ts';
import { maxAbsDiff, seededTensor, useWasmWithCpuReference } from './helpers/backends.ts';
import { tinyAtlas, tinyChain, tinyDarknet } from './helpers/tiny-models.ts';

/**
 * Zeiler & Fergus's unpooling: the backward signal of each 2x2 window goes to the position of the
 * window's maximum in the forward pass (the switch) and nowhere else. Ties go to the first maximum
 * in row-major order (tfjs's maxPool gradient on both backends).
 */
const X = [
  [1, 3, 2, 2],
  [0, 2, 2, 1],
  [5, 4, 0, 0],
  [4, 5, 0, 0],
];
const DY = [
  [10, 20],
  [30, 40],
];
// Top-left: 3 at (0,1). Top-right: 2 three times → first, (0,2). Bottom-left: 5 twice → first, (2,0). Bottom-right: all 0 → (2,2).
const EXPECTED = [
  [0, 10, 20, 0],
  [0, 0, 0, 0],
  [30, 0, 40, 0],
  [0, 0, 0, 0],
];

describe.each(['wasm', 'cpu'])('max-pool switches on %s', (backend) => {
  beforeAll(async () => {
    await useWasmWithCpuReference();
    await tf.setBackend(backend);
  });

  it('unpools a hand-computed 4x4 example through the forward switches, ties to the first maximum', async () => {
    const input = tf.input({ shape: [4, 4, 1], name: 'x' });
    const model = tf.model({ inputs: input, outputs: tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: 'pool' }).apply(input) as tf.SymbolicTensor });
    const graph = graphFromLayersModel(model);
    const x = tf.tensor4d(X.flat(), [1, 4, 4, 1]);
    const dy = tf.tensor4d(DY.flat(), [1, 2, 2, 1]);
    for (const rule of ['deconvnet', 'guided', 'gradient'] as const) {
      const grad = tf.grad((inp: tf.Tensor) => tf.sum(tf.mul(execute(graph, { [graph.inputName]: inp }, ['pool'], rule).pool, dy)))(x);
      expect(Array.from(await grad.data()), rule).toEqual(EXPECTED.flat());
    }
  });

  it('a deconvnet projection through max-pools follows the image; without max-pools it cannot', async () => {
    const unit = [{ channel: 0, y: 1, x: 1 }];
    const project = async (m: ReturnType<typeof tinyAtlas>, layer: string, seed: number) => {
      const x = preprocess(m, tf.add(tf.mul(seededTensor([1, 16, 16, 3], seed), 127.5), 127.5) as tf.Tensor4D);
      return new Float32Array(await projectUnits(m, x, layer, unit, 'deconvnet').data());
    };
    const darknet = tinyAtlas(tinyDarknet());
    const a = await project(darknet, 'conv2', 1);
    const b = await project(darknet, 'conv2', 2);
    expect(a.some((v) => v !== 0)).toBe(true);
    expect(maxAbsDiff(a, b)).toBeGreaterThan(1e-3);
    // tinyChain's first conv has no pool below it: its deconvnet projection is the same for any image.
    const chain = tinyAtlas(tinyChain());
    expect(maxAbsDiff(await project(chain, 'c1', 1), await project(chain, 'c1', 2))).toBe(0);
  });

  it('the switch figure: projections of one unit on different images correlate 1 without switches, less with them', async () => {
    // One unit at three interior positions on three images, as a unit's top-9 would be.
    const positions: [number, number][] = [[2, 2], [3, 4], [5, 3]];
    const measure = async (m: ReturnType<typeof tinyAtlas>, layer: string, scale: number) => {
      const x = preprocess(m, tf.add(tf.mul(seededTensor([3, 16, 16, 3], 21), 127.5), 127.5) as tf.Tensor4D);
      const pos = positions.map(([y, x]) => [Math.floor(y / scale), Math.floor(x / scale)] as [number, number]);
      const target = { kind: 'unit' as const, layer, channel: 0, y: pos.map((p) => p[0]), x: pos.map((p) => p[1]) };
      const maps = new Float32Array(await inputAttribution(m, x, target, 'deconvnet').data());
      return meanPairwiseCorrelation(maps, m.inputSize, layerOf(m, layer).receptiveField, pos)!;
    };
    expect(await measure(tinyAtlas(tinyChain()), 'c1', 1)).toBeCloseTo(1, 5);
    expect(await measure(tinyAtlas(tinyDarknet()), 'conv2', 2)).toBeLessThan(0.9);
  });
});
