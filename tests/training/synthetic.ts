import { mulberry32 } from '../../pipeline/featurevis/random.ts';
import type { PixelSet } from '../../pipeline/training/cifar-data.ts';

/**
 * Three classes the first layer can only tell apart by orientation or its absence: horizontal
 * stripes, vertical stripes, and round blobs. Grey, so each first-layer filter's orientation can be
 * read from the sum of its three input channels. Random period, phase, contrast and noise per image.
 */
export const SYNTHETIC_CLASSES = ['horizontal stripes', 'vertical stripes', 'blobs'];

export function syntheticSet(perClass: number, seed: number, size = 16): PixelSet {
  const random = mulberry32(seed);
  const n = perClass * 3;
  const pixels = new Uint8Array(n * size * size * 3);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const label = i % 3;
    labels[i] = label;
    const period = 3 + random() * 4;
    const phase = random() * 2 * Math.PI;
    const contrast = 60 + random() * 60;
    const blobs = Array.from({ length: 3 }, () => [random() * size, random() * size, 1.5 + random() * 2]);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        let v: number;
        if (label === 0) v = Math.sin((2 * Math.PI * y) / period + phase);
        else if (label === 1) v = Math.sin((2 * Math.PI * x) / period + phase);
        else v = Math.max(...blobs.map(([bx, by, r]) => Math.exp(-((x - bx) ** 2 + (y - by) ** 2) / (2 * r * r)))) * 2 - 1;
        const g = Math.max(0, Math.min(255, Math.round(128 + contrast * v + (random() - 0.5) * 30)));
        pixels.fill(g, (i * size * size + y * size + x) * 3, (i * size * size + y * size + x) * 3 + 3);
      }
    }
  }
  const ids = Array.from({ length: n }, (_, i) => `synthetic-${seed}-${i}`);
  return { pixels, labels, ids, size, sha256: ids };
}
