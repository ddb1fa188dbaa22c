import * as tf from '@tensorflow/tfjs';
import { layerOf, type AtlasModel } from '../model/atlas-model.ts';
import { execute } from '../model/executor.ts';
import { preprocess } from '../model/image-batch.ts';
import { shiftsForSide, ZEILER_FERGUS_RANGES } from './invariance-ranges.ts';

export type TransformKind = 'translate' | 'rotate' | 'scale';
export const transformKinds: readonly TransformKind[] = ['translate', 'rotate', 'scale'];

export interface InvarianceSpec {
  /** Horizontal shifts in pixels (positive = right). */
  translate: number[];
  /** Degrees, counter-clockwise on screen, about the centre. */
  rotate: number[];
  /** Factors about the centre (>1 enlarges). */
  scale: number[];
  /** Layers whose feature vectors are compared, e.g. the first and the last before the classifier. */
  layers: string[];
  classIndex: number;
}

export interface Curve {
  kind: TransformKind;
  amounts: number[];
  /** Per layer, per amount: Euclidean distance of the flattened activation to the untransformed image's. */
  distance: Record<string, number[]>;
  /** Per amount: softmax probability of spec.classIndex. */
  probability: number[];
  /** Transformed images run for this curve (the one pass on the untransformed image, shared, not counted). */
  forwardPasses: number;
}

/**
 * tf.image.transform's 8 numbers [a0 a1 a2 b0 b1 b2 c0 c1]: they map an output pixel (x, y) to the
 * input point it samples, so each transform is given by its inverse. Pixel centres are integer
 * indices; the centre of the image is ((w−1)/2, (h−1)/2).
 */
export function transformMatrix(kind: TransformKind, amount: number, [h, w]: [number, number]): number[] {
  const [cx, cy] = [(w - 1) / 2, (h - 1) / 2];
  switch (kind) {
    case 'translate':
      return [1, 0, -amount, 0, 1, 0, 0, 0];
    case 'rotate': {
      // Output offset d from the centre samples the input at R(θ)·d; with y pointing down that
      // turns the picture counter-clockwise on screen.
      const t = (amount * Math.PI) / 180;
      const [c, s] = [Math.cos(t), Math.sin(t)];
      return [c, -s, cx - c * cx + s * cy, s, c, cy - s * cx - c * cy, 0, 0];
    }
    case 'scale':
      if (!(amount > 0)) throw new Error(`scale factor must be positive, got ${amount}`);
      return [1 / amount, 0, cx - cx / amount, 0, 1 / amount, cy - cy / amount, 0, 0];
  }
}

function transformBatch(pixels: tf.Tensor4D, matrices: number[][], fill: number): tf.Tensor4D {
  return tf.tidy(() => tf.image.transform(pixels, tf.tensor2d(matrices, [matrices.length, 8]), 'bilinear', 'constant', fill));
}

/**
 * Zeiler & Fergus's Fig. 5 transforms, same output size, the uncovered area filled with grey.
 * translate: horizontal shift in px; rotate: degrees counter-clockwise about the centre; scale:
 * factor about the centre. Input and output 0..255 [N, H, W, 3].
 */
export function transformPixels(pixels: tf.Tensor4D, kind: TransformKind, amount: number, fill = 127.5): tf.Tensor4D {
  const m = transformMatrix(kind, amount, [pixels.shape[1], pixels.shape[2]]);
  return transformBatch(pixels, Array.from({ length: pixels.shape[0] }, () => m), fill);
}

/** Per image: the flattened activation of each layer and the class probability, from one forward pass. */
function features(model: AtlasModel, x: tf.Tensor4D, layers: string[], classIndex: number): { acts: tf.Tensor2D[]; prob: tf.Tensor1D } {
  return tf.tidy(() => {
    const n = x.shape[0];
    const nodes = layers.map((l) => model.runNode(layerOf(model, l).outputNode));
    const logits = model.runNode(model.logitsNode);
    const out = execute(model.runGraph, { [model.runGraph.inputName]: x }, [...new Set([...nodes, logits])]);
    const probs = tf.softmax(tf.reshape(out[logits], [n, -1]));
    return {
      acts: nodes.map((node) => tf.reshape(out[node], [n, -1]) as tf.Tensor2D),
      prob: tf.squeeze(tf.slice(probs, [0, classIndex], [n, 1]), [1]) as tf.Tensor1D,
    };
  });
}

/** The readouts for one batch of amounts of one transform, against the untransformed features. */
async function curveBatch(
  model: AtlasModel,
  image: tf.Tensor4D,
  kind: TransformKind,
  amounts: number[],
  base: tf.Tensor2D[],
  spec: InvarianceSpec,
): Promise<{ distances: Float32Array[]; probability: Float32Array }> {
  const size: [number, number] = [image.shape[1], image.shape[2]];
  const out = tf.tidy(() => {
    const tiled = tf.tile(image, [amounts.length, 1, 1, 1]);
    const x = preprocess(model, transformBatch(tiled, amounts.map((a) => transformMatrix(kind, a, size)), 127.5));
    const { acts, prob } = features(model, x, spec.layers, spec.classIndex);
    return [prob, ...acts.map((a, i) => tf.sqrt(tf.sum(tf.square(tf.sub(a, base[i])), 1)))];
  });
  const [probability, ...distances] = (await Promise.all(out.map((t) => t.data()))) as Float32Array[];
  tf.dispose(out);
  return { distances, probability };
}

/**
 * Invariance curves (Zeiler & Fergus 2014, Fig. 5): for each transform and amount, how far each
 * layer's feature vector moves from the untransformed image's, and the class probability. The
 * transformed images run in batches. Input: 0..255 pixels [H, W, 3].
 */
export async function invarianceCurves(model: AtlasModel, pixels: tf.Tensor3D, spec: InvarianceSpec, batchSize = 16): Promise<Curve[]> {
  const n = model.labels.length;
  if (!(Number.isInteger(spec.classIndex) && spec.classIndex >= 0 && spec.classIndex < n)) throw new Error(`classIndex ${spec.classIndex} is out of range (0..${n - 1})`);
  const image = tf.expandDims(pixels, 0) as tf.Tensor4D;
  const base = tf.tidy(() => features(model, preprocess(model, image), spec.layers, spec.classIndex).acts);
  try {
    const curves: Curve[] = [];
    for (const kind of transformKinds) {
      const amounts = spec[kind];
      const curve: Curve = { kind, amounts, distance: Object.fromEntries(spec.layers.map((l) => [l, []])), probability: [], forwardPasses: amounts.length };
      for (let start = 0; start < amounts.length; start += Math.max(1, batchSize)) {
        const { distances, probability } = await curveBatch(model, image, kind, amounts.slice(start, start + Math.max(1, batchSize)), base, spec);
        curve.probability.push(...probability);
        spec.layers.forEach((l, i) => curve.distance[l].push(...distances[i]));
      }
      curves.push(curve);
    }
    return curves;
  } finally {
    tf.dispose([image, ...base]);
  }
}

/**
 * Zeiler & Fergus's ranges for this model, shifts scaled to its input side. Compared layers: the
 * first and the last before the classifier.
 */
export function defaultInvarianceSpec(model: AtlasModel, classIndex: number): InvarianceSpec {
  const side = model.inputSize[1];
  const features = model.layers.filter((l) => l.kind !== 'logits');
  return {
    translate: shiftsForSide(ZEILER_FERGUS_RANGES.translate, side),
    rotate: ZEILER_FERGUS_RANGES.rotate,
    scale: ZEILER_FERGUS_RANGES.scale,
    layers: [...new Set([features[0].id, features[features.length - 1].id])],
    classIndex,
  };
}
