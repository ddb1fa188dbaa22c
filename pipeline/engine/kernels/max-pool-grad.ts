import * as tf from '@tensorflow/tfjs';

/**
 * MaxPoolGrad as Zeiler & Fergus's unpooling: each window's signal goes to the position of its
 * forward maximum (the switch), ties to the first in row-major order, as the cpu backend does.
 * wasm's own kernel sends ties to the last maximum and drops the signal of a window whose values are
 * all zero (a dead region after a rectifier), which loses part of a deconvnet projection.
 * An input of batch 1 with a dy of batch N routes every dy item through that one image's switches
 * (many backward signals from one forward pass, pipeline/model/batched-backward.ts).
 */
export function maxPoolGrad(dy: tf.Tensor, input: tf.Tensor, attrs: Record<string, unknown>): tf.Tensor {
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize as [number, number] | number,
    attrs.strides as [number, number] | number,
    1,
    attrs.pad as 'same' | 'valid' | number,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
  );
  const { batchSize, inHeight, inWidth, inChannels: ch, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { effectiveFilterHeight: fh, effectiveFilterWidth: fw, padInfo } = info;
  const items = dy.shape[0];
  if (batchSize !== 1 && items !== batchSize) throw new Error(`maxPoolGrad: dy batch ${items} for an input batch of ${batchSize}`);
  const x = input.dataSync() as Float32Array;
  const g = dy.dataSync() as Float32Array;
  const inSize = inHeight * inWidth * ch;
  const outSize = outHeight * outWidth * ch;
  const out = new Float32Array(items * inSize);
  const best = new Float32Array(ch);
  const at = new Int32Array(ch);
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        best.fill(-Infinity);
        at.fill(-1);
        for (let fy = 0; fy < fh; fy++) {
          const iy = oy * strideHeight - padInfo.top + fy;
          if (iy < 0 || iy >= inHeight) continue;
          for (let fx = 0; fx < fw; fx++) {
            const ix = ox * strideWidth - padInfo.left + fx;
            if (ix < 0 || ix >= inWidth) continue;
            const base = ((b * inHeight + iy) * inWidth + ix) * ch;
            for (let c = 0; c < ch; c++) {
              if (x[base + c] > best[c]) {
                best[c] = x[base + c];
                at[c] = base + c;
              }
            }
          }
        }
        const gBase = ((b * outHeight + oy) * outWidth + ox) * ch;
        if (batchSize === items) {
          for (let c = 0; c < ch; c++) if (at[c] >= 0) out[at[c]] += g[gBase + c];
          continue;
        }
        for (let k = 0; k < items; k++) {
          for (let c = 0; c < ch; c++) if (at[c] >= 0) out[k * inSize + at[c]] += g[k * outSize + gBase + c];
        }
      }
    }
  }
  return tf.tensor(out, [items, inHeight, inWidth, ch], 'float32');
}
