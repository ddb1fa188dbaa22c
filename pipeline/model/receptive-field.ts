import * as tf from '@tensorflow/tfjs';
import type { Graph, GraphNode } from './graph.ts';

/**
 * Receptive field of a node's units in input pixels, per axis [y, x]:
 * size r, jump j (input pixels between neighbouring units) and start (centre of unit 0, in pixel
 * indices; may be negative where padding reaches outside the image). r_out = r_in + (k-1)·j_in,
 * j_out = j_in·s, start_out = start_in + ((k-1)/2 - pad)·j_in. Non-spatial nodes see the whole image.
 */
export interface ReceptiveField {
  size: [number, number];
  jump: [number, number];
  start: [number, number];
  global: boolean;
}

const identityRF = (): ReceptiveField => ({ size: [1, 1], jump: [1, 1], start: [0, 0], global: false });

function through(rf: ReceptiveField, k: [number, number], s: [number, number], pad: [number, number]): ReceptiveField {
  const axis = (i: 0 | 1) => ({
    size: rf.size[i] + (k[i] - 1) * rf.jump[i],
    jump: rf.jump[i] * s[i],
    start: rf.start[i] + ((k[i] - 1) / 2 - pad[i]) * rf.jump[i],
  });
  const y = axis(0);
  const x = axis(1);
  return { size: [y.size, x.size], jump: [y.jump, x.jump], start: [y.start, x.start], global: false };
}

function windowed(node: GraphNode, inShape: number[], rf: ReceptiveField): ReceptiveField {
  const x4 = [1, ...inShape] as [number, number, number, number];
  if (node.pool) {
    const p = node.pool;
    const info = tf.backend_util.computePool2DInfo(x4, p.size, p.strides, 1, p.padding);
    return through(rf, p.size, p.strides, [info.padInfo.top, info.padInfo.left]);
  }
  const c = node.conv!;
  const info = tf.backend_util.computeConv2DInfo(x4, c.kernel.shape, c.strides, c.dilation, c.padding, undefined, node.kind === 'depthwise');
  return through(rf, [info.effectiveFilterHeight, info.effectiveFilterWidth], c.strides, [info.padInfo.top, info.padInfo.left]);
}

function wholeImage(imageSize: [number, number]): ReceptiveField {
  return { size: [...imageSize], jump: [0, 0], start: [(imageSize[0] - 1) / 2, (imageSize[1] - 1) / 2], global: true };
}

export function receptiveFields(graph: Graph, imageSize: [number, number]): Map<string, ReceptiveField> {
  const out = new Map<string, ReceptiveField>();
  for (const node of graph.nodes) {
    const inputs = node.inputs.map((i) => out.get(i)!);
    const first = inputs[0] ?? identityRF();
    const inShape = node.inputs.length ? graph.byName.get(node.inputs[0])!.shape : [];
    let rf: ReceptiveField;
    if (node.kind === 'input') rf = identityRF();
    else if (first.global || node.shape.length < 3) rf = wholeImage(imageSize);
    else if (node.conv || node.pool) rf = windowed(node, inShape, first);
    else if (node.zeropad) {
      const [[t], [l]] = node.zeropad;
      rf = { ...first, start: [first.start[0] - t * first.jump[0], first.start[1] - l * first.jump[1]] };
    } else rf = inputs.reduce((a, b) => (b.size[0] * b.size[1] > a.size[0] * a.size[1] ? b : a), first);
    out.set(node.name, rf);
  }
  return out;
}

/** The input-pixel box [y0, x0, y1, x1] (inclusive, clipped to the image) seen by unit (y, x). */
export function unitBox(rf: ReceptiveField, y: number, x: number, imageSize: [number, number]): [number, number, number, number] {
  const lo = (i: 0 | 1, p: number) => Math.max(0, Math.ceil(rf.start[i] + p * rf.jump[i] - (rf.size[i] - 1) / 2));
  const hi = (i: 0 | 1, p: number) => Math.min(imageSize[i] - 1, Math.floor(rf.start[i] + p * rf.jump[i] + (rf.size[i] - 1) / 2));
  return [lo(0, y), lo(1, x), hi(0, y), hi(1, x)];
}
