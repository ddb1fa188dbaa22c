import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../util/atomic-write.ts';

interface StoredTensor {
  name: string;
  shape: number[];
  offset: number;
}

/**
 * tfjs's Adam keeps beta1^t and beta2^t as running products, but setWeights() recomputes them
 * with pow(), which differs in the last bits; a resumed run would then drift from an uninterrupted
 * one. So the products are saved and put back as they were.
 */
type AdamInternals = { accBeta1?: tf.Variable; accBeta2?: tf.Variable };

export async function saveOptimizerState(optimizer: tf.Optimizer, file: string): Promise<void> {
  const named = await optimizer.getWeights();
  const internals = optimizer as unknown as AdamInternals;
  if (internals.accBeta1 && internals.accBeta2) {
    named.push({ name: '__accBeta1', tensor: internals.accBeta1 }, { name: '__accBeta2', tensor: internals.accBeta2 });
  }
  const index: StoredTensor[] = [];
  const parts: Float32Array[] = [];
  let offset = 0;
  for (const { name, tensor } of named) {
    const values = (await tensor.data()) as Float32Array;
    index.push({ name, shape: tensor.shape, offset });
    parts.push(Float32Array.from(values));
    offset += values.length;
  }
  const all = new Float32Array(offset);
  parts.forEach((p, i) => all.set(p, index[i].offset));
  await writeFileAtomic(`${file}.bin`, new Uint8Array(all.buffer));
  await writeFileAtomic(`${file}.json`, JSON.stringify(index));
}

export async function loadOptimizerState(optimizer: tf.Optimizer, file: string): Promise<void> {
  const index: StoredTensor[] = JSON.parse(await readFile(`${file}.json`, 'utf8'));
  const buf = await readFile(`${file}.bin`);
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const tensors = index.map(({ name, shape, offset }) => {
    const size = shape.reduce((a, b) => a * b, 1);
    return { name, tensor: tf.tensor(all.slice(offset, offset + size), shape) };
  });
  const extra = tensors.filter((t) => t.name.startsWith('__'));
  await optimizer.setWeights(tensors.filter((t) => !t.name.startsWith('__')));
  const internals = optimizer as unknown as AdamInternals;
  for (const { name, tensor } of extra) {
    if (name === '__accBeta1') internals.accBeta1?.assign(tensor.reshape(internals.accBeta1.shape));
    if (name === '__accBeta2') internals.accBeta2?.assign(tensor.reshape(internals.accBeta2.shape));
  }
  tf.dispose(tensors.map((t) => t.tensor));
}
