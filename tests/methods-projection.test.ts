import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runLayers } from '../pipeline/model/activations.ts';
import { layerOf, type AtlasModel } from '../pipeline/model/atlas-model.ts';
import { inputAttribution } from '../pipeline/model/attribution.ts';
import { preprocess } from '../pipeline/model/image-batch.ts';
import { unitBox } from '../pipeline/model/receptive-field.ts';
import { reluRules } from '../pipeline/model/relu-rule.ts';
import { topUnits, type TopUnit } from '../pipeline/methods/top-units.ts';
import { projectUnits } from '../pipeline/methods/unit-projection.ts';
import { maxAbsDiff, seededTensor, useWasmWithCpuReference } from './helpers/backends.ts';
import { tinyAtlas, tinyChain } from './helpers/tiny-models.ts';

const image = (seed: number) => tf.tidy(() => tf.add(tf.mul(seededTensor([1, 16, 16, 3], seed), 127.5), 127.5)) as tf.Tensor4D;

/** The strongest active unit whose receptive field is (or is not) cut by the image edge. */
function strongestUnit(m: AtlasModel, layer: string, a: Float32Array, clipped: boolean): TopUnit | null {
  const { shape: [h, w, c], receptiveField: rf } = layerOf(m, layer);
  let best: TopUnit | null = null;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [y0, x0, y1, x1] = unitBox(rf, y, x, m.inputSize);
      const cut = y1 - y0 + 1 < rf.size[0] || x1 - x0 + 1 < rf.size[1];
      if (cut !== clipped) continue;
      for (let ch = 0; ch < c; ch++) {
        const value = a[(y * w + x) * c + ch];
        if (value > (best?.value ?? 0)) best = { channel: ch, y, x, value };
      }
    }
  }
  return best;
}

/** Count of non-zero values inside and outside box [y0, x0, y1, x1] of one [H, W, 3] map. */
function inOut(map: Float32Array, [h, w]: number[], [y0, x0, y1, x1]: number[]): { inside: number; outside: number } {
  let inside = 0;
  let outside = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const hit = [0, 1, 2].some((k) => map[(y * w + x) * 3 + k] !== 0);
      if (!hit) continue;
      if (y >= y0 && y <= y1 && x >= x0 && x <= x1) inside++;
      else outside++;
    }
  }
  return { inside, outside };
}

describe('unit projections (deconvnet, guided, saliency)', () => {
  let m: AtlasModel;
  beforeAll(async () => {
    await useWasmWithCpuReference();
    m = tinyAtlas(tinyChain());
  });

  for (const layer of ['pw2', 'c3']) {
    it(`${layer}: each projection is non-zero and stays inside its unit's receptive field, border unit included`, async () => {
      const x = preprocess(m, image(41));
      const info = layerOf(m, layer);
      const a = new Float32Array(await runLayers(m, x, [layer])[layer].data());
      const live = topUnits(a, info.shape as [number, number, number], info.channels).filter((u) => u.value > 0);
      const edge = strongestUnit(m, layer, a, true);
      const interior = strongestUnit(m, layer, a, false);
      // Both kinds exist, so clipped and unclipped boxes are both exercised.
      expect(edge && interior).toBeTruthy();
      const units = [...live, edge!, interior!];
      // Guided backprop can legitimately be blank for a weak unit whose paths to the image are all
      // inhibitory; the strongest unit, the border one and the interior one must show something.
      const mustShow = (i: number, rule: string) => rule !== 'guided' || i === 0 || i >= live.length;
      for (const rule of reluRules) {
        const maps = await projectUnits(m, x, layer, units, rule).data();
        const size = 16 * 16 * 3;
        for (const [i, u] of units.entries()) {
          const map = new Float32Array(maps.slice(i * size, (i + 1) * size));
          const box = unitBox(info.receptiveField, u.y, u.x, m.inputSize);
          const { inside, outside } = inOut(map, [16, 16], box);
          if (mustShow(i, rule)) expect(inside, `${rule} unit ${JSON.stringify(u)}`).toBeGreaterThan(0);
          expect(outside, `${rule} unit ${JSON.stringify(u)} box ${box}`).toBe(0);
          // The same as projecting that unit alone: items do not mix.
          const alone = await inputAttribution(m, x, { kind: 'unit', layer, channel: u.channel, y: u.y, x: u.x }, rule).data();
          expect(maxAbsDiff(map, new Float32Array(alone))).toBeLessThan(1e-6);
        }
      }
    });
  }

  it('deconvnet and guided differ (the rule is passed through)', async () => {
    const x = preprocess(m, image(42));
    const a = new Float32Array(await runLayers(m, x, ['pw2']).pw2.data());
    const units = topUnits(a, [8, 8, 6], 2);
    const [d, g] = await Promise.all(['deconvnet', 'guided'].map(async (r) => projectUnits(m, x, 'pw2', units, r as 'deconvnet').data()));
    expect(maxAbsDiff(new Float32Array(d), new Float32Array(g))).toBeGreaterThan(1e-4);
  });

  it('rejects units outside the layer and a batch of images', () => {
    const x = preprocess(m, image(43));
    expect(() => projectUnits(m, x, 'pw2', [{ channel: 6, y: 0, x: 0 }], 'deconvnet')).toThrow(/outside layer/);
    expect(() => projectUnits(m, x, 'pw2', [{ channel: 0, y: 8, x: 0 }], 'deconvnet')).toThrow(/outside layer/);
    expect(() => projectUnits(m, tf.concat([x, x]) as tf.Tensor4D, 'pw2', [{ channel: 0, y: 0, x: 0 }], 'guided')).toThrow(/one image/);
  });
});
