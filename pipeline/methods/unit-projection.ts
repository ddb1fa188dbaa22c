import * as tf from '@tensorflow/tfjs';
import { layerOf, type AtlasModel } from '../model/atlas-model.ts';
import { inputAttribution } from '../model/attribution.ts';
import { batchedInputGradient, canBackwardBatched } from '../model/batched-backward.ts';
import type { ReluRule } from '../model/relu-rule.ts';
import { resolveTarget } from '../model/targets.ts';

export interface UnitPosition {
  channel: number;
  y: number;
  x: number;
}

function checkUnits(model: AtlasModel, layer: string, units: UnitPosition[]): void {
  const info = layerOf(model, layer);
  const [h, w, c] = info.spatial ? info.shape : [1, 1, info.channels];
  for (const u of units) {
    // An out-of-range unit would silently give an all-zero target (and a blank projection).
    if (!(u.channel >= 0 && u.channel < c && u.y >= 0 && u.y < h && u.x >= 0 && u.x < w) || ![u.channel, u.y, u.x].every(Number.isInteger)) {
      throw new Error(`unit (channel ${u.channel}, y ${u.y}, x ${u.x}) is outside layer "${layer}" [${h}, ${w}, ${c}]`);
    }
  }
}

/**
 * Projects single activations of one image back to pixel space, one batch item per unit (one
 * forward pass for all of them where `canBackwardBatched` allows, else the image tiled per unit):
 * 'deconvnet' gives Zeiler & Fergus's reconstructions, 'guided' and 'gradient' the same units seen
 * by guided backprop and saliency. Each item's target is that unit alone, all else in its layer zero.
 * Input: one preprocessed image [1, H, W, 3]; output [units, H, W, 3].
 */
export function projectUnits(model: AtlasModel, x: tf.Tensor4D, layer: string, units: UnitPosition[], rule: ReluRule, preActivation = false): tf.Tensor4D {
  if (x.shape[0] !== 1) throw new Error(`projectUnits takes one image, got a batch of ${x.shape[0]}`);
  if (units.length === 0) throw new Error('projectUnits: no units given');
  checkUnits(model, layer, units);
  const target = { kind: 'unit' as const, layer, channel: units.map((u) => u.channel), y: units.map((u) => u.y), x: units.map((u) => u.x), preActivation };
  const { node, weights } = resolveTarget(model, target, units.length);
  try {
    // One forward pass for all units instead of one per unit (the tiled batch below), where every layer allows it.
    if (canBackwardBatched(model.runGraph, node)) return batchedInputGradient(model.runGraph, x, node, weights, rule);
  } finally {
    weights.dispose();
  }
  const tiled = tf.tile(x, [units.length, 1, 1, 1]);
  try {
    return inputAttribution(model, tiled, target, rule);
  } finally {
    tiled.dispose();
  }
}
