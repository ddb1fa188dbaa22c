import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MOBILENET_PREPROCESS } from '../pipeline/assets/preprocess.ts';
import { atlasModelFromLayersModel, layerOf } from '../pipeline/model/atlas-model.ts';
import { runLayers } from '../pipeline/model/activations.ts';
import { preprocess } from '../pipeline/model/image-batch.ts';
import { inputAttribution } from '../pipeline/model/attribution.ts';
import { UnsupportedLayerError, graphFromLayersModel } from '../pipeline/model/from-layers-model.ts';
import { unitBox } from '../pipeline/model/receptive-field.ts';
import { maxAbsDiff, seededTensor, useWasmWithCpuReference } from './helpers/backends.ts';
import { tinyAtlas, tinyBranches, tinyChain } from './helpers/tiny-models.ts';

const rgb = (shape: number[], seed: number) => tf.tidy(() => tf.add(tf.mul(seededTensor(shape, seed), 127.5), 127.5)) as tf.Tensor4D;

describe('model adapter on tiny models', () => {
  beforeAll(useWasmWithCpuReference);

  it('lists the visualizable layers with their blocks, shapes and kinds', () => {
    const m = tinyAtlas(tinyChain());
    expect(m.layers.map((l) => [l.id, l.kind, l.shape.join('x')])).toEqual([
      ['c1', 'conv', '16x16x4'],
      ['pool1', 'pool', '8x8x4'],
      ['dw2', 'depthwise', '8x8x4'],
      ['pw2', 'conv', '8x8x6'],
      ['c3', 'conv', '3x3x5'],
      ['gap', 'pool', '5'],
      ['logits', 'logits', '4'],
    ]);
    expect(layerOf(m, 'c1').nodes).toEqual(['c1', 'c1_bn', 'c1_relu']);
    expect(layerOf(m, 'c1').activation).toBe('relu6');
  });

  it('receptive fields match the hand-computed values', () => {
    // c1: 3x3 s1 pad1 → r3 j1 start 0; pool 2 s2 → r4 j2 start 0.5; dw 3x3 pad1 → r8 j2 start 0.5;
    // 1x1 → unchanged; c3 3x3 s2 valid → r12 j4 start 2.5; global pool → whole image.
    const m = tinyAtlas(tinyChain());
    const rf = (id: string) => {
      const r = layerOf(m, id).receptiveField;
      return [r.size[0], r.jump[0], r.start[0]];
    };
    expect(rf('c1')).toEqual([3, 1, 0]);
    expect(rf('pool1')).toEqual([4, 2, 0.5]);
    expect(rf('dw2')).toEqual([8, 2, 0.5]);
    expect(rf('pw2')).toEqual([8, 2, 0.5]);
    expect(rf('c3')).toEqual([12, 4, 2.5]);
    expect(layerOf(m, 'gap').receptiveField.global).toBe(true);
    // Zero padding shifts the start by pad·jump; the wider branch of an Add decides its field.
    const b = tinyAtlas(tinyBranches());
    expect(layerOf(b, 'a').receptiveField.start[0]).toBe(0);
    expect(layerOf(b, 'sum').receptiveField.size[0]).toBe(3);
    expect(layerOf(b, 'avg').receptiveField.size[0]).toBe(4);
    expect(layerOf(b, 'c').receptiveField.size[0]).toBe(8);
  });

  it("a unit's input gradient is non-zero only inside its receptive-field box", async () => {
    for (const m of [tinyAtlas(tinyChain()), tinyAtlas(tinyBranches())]) {
      const x = preprocess(m, rgb([1, ...m.inputSize, 3], 3));
      for (const layer of m.layers.filter((l) => l.spatial)) {
        const [h, w] = layer.shape;
        for (const [y, xx] of [[0, 0], [Math.floor(h / 2), Math.floor(w / 2)], [h - 1, w - 1]]) {
          const g = (await tf.sum(tf.abs(inputAttribution(m, x, { kind: 'unit', layer: layer.id, channel: 0, y, x: xx }, 'deconvnet')), 3).array()) as number[][][];
          const [y0, x0, y1, x1] = unitBox(layer.receptiveField, y, xx, m.inputSize);
          g[0].forEach((row, py) =>
            row.forEach((v, px) => {
              if (v !== 0) expect(py >= y0 && py <= y1 && px >= x0 && px <= x1, `${layer.id} (${y},${xx}) pixel ${py},${px}`).toBe(true);
            }),
          );
        }
      }
    }
  });

  it('the executor (with folded batch norms) reproduces tfjs-layers predictions', async () => {
    for (const lm of [tinyChain(), tinyBranches()]) {
      const m = tinyAtlas(lm);
      const x = preprocess(m, rgb([3, ...m.inputSize, 3], 7));
      const ours = tf.softmax(tf.reshape(runLayers(m, x, [m.layers.at(-1)!.id])[m.layers.at(-1)!.id], [3, -1]));
      const theirs = lm.predict(x) as tf.Tensor;
      expect(maxAbsDiff(new Float32Array(await ours.data()), new Float32Array(await theirs.data()))).toBeLessThan(1e-5);
    }
  });

  it('one forward pass returns several layers, equal to separate passes', async () => {
    const m = tinyAtlas(tinyChain());
    const x = preprocess(m, rgb([2, 16, 16, 3], 8));
    const together = runLayers(m, x, ['c1', 'dw2', 'c3']);
    for (const id of ['c1', 'dw2', 'c3']) {
      const alone = runLayers(m, x, [id])[id];
      expect(together[id].shape).toEqual([2, ...layerOf(m, id).shape]);
      expect(maxAbsDiff(new Float32Array(await together[id].data()), new Float32Array(await alone.data()))).toBe(0);
    }
  });

  it('refuses an unsupported layer type with a message naming it', () => {
    const input = tf.input({ shape: [8, 8, 3] });
    const sep = tf.layers.separableConv2d({ filters: 2, kernelSize: 3, name: 'sep' }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: sep });
    expect(() => graphFromLayersModel(model)).toThrow(UnsupportedLayerError);
    expect(() => graphFromLayersModel(model)).toThrow(/"sep" has type SeparableConv2D.*supported: .*Conv2D/);
  });

  it('refuses labels that do not match the model outputs', () => {
    const spec = { id: 'x', labels: ['a', 'b'], inputSize: [16, 16] as [number, number], preprocess: MOBILENET_PREPROCESS };
    expect(() => atlasModelFromLayersModel(tinyChain(), spec)).toThrow(/4 outputs but 2 labels/);
  });
});
