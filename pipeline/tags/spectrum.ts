/**
 * 2-D power spectrum of a grey image by a direct separable DFT (no FFT: the images here are at most
 * a few hundred pixels a side, where O(w·h·(w+h)) is milliseconds and any size works, not just
 * powers of two). The mean is removed and a Hann window applied, so the image border (a jump
 * between opposite edges, to the DFT) does not pose as a vertical and a horizontal edge.
 */

export interface PowerSpectrum {
  w: number;
  h: number;
  /** power[ky * w + kx]; DC at 0; bin k stands for frequency k/w (k <= w/2) or (k - w)/w. */
  power: Float64Array;
  /** Input pixels per spectrum pixel: 1, or the box-averaging factor applied to large images. */
  scale: number;
}

/** Signed frequency of bin k of an n-point DFT, in cycles per (analysed) pixel. */
export const binFrequency = (k: number, n: number): number => (k <= n / 2 ? k / n : (k - n) / n);

const hann = (n: number) => Float64Array.from({ length: n }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / n));

/** Box-average reduction by an integer factor, so the DFT stays cheap on large images. */
function reduce(gray: Float32Array, w: number, h: number, factor: number): { data: Float64Array; w: number; h: number } {
  const rw = Math.floor(w / factor);
  const rh = Math.floor(h / factor);
  const data = new Float64Array(rw * rh);
  for (let y = 0; y < rh * factor; y++) {
    for (let x = 0; x < rw * factor; x++) data[Math.floor(y / factor) * rw + Math.floor(x / factor)] += gray[y * w + x];
  }
  for (let i = 0; i < data.length; i++) data[i] /= factor * factor;
  return { data, w: rw, h: rh };
}

function windowed(data: Float64Array, w: number, h: number): Float64Array {
  let mean = 0;
  for (const v of data) mean += v;
  mean /= data.length;
  const wx = hann(w);
  const wy = hann(h);
  return data.map((v, i) => (v - mean) * wx[i % w] * wy[Math.floor(i / w)]);
}

/** cos and sin of 2πt/n for t = 0..n-1: every twiddle factor of an n-point DFT is one of these. */
function twiddles(n: number): [Float64Array, Float64Array] {
  return [Float64Array.from({ length: n }, (_, i) => Math.cos((2 * Math.PI * i) / n)), Float64Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * i) / n))];
}

/** DFT along rows for bins 0..half-1 (the input is real: the other bins mirror these). */
function rowTransform(v: Float64Array, w: number, h: number, half: number): [Float64Array, Float64Array] {
  const [cos, sin] = twiddles(w);
  const re = new Float64Array(h * half);
  const im = new Float64Array(h * half);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let k = 0; k < half; k++) {
      let a = 0;
      let b = 0;
      for (let x = 0, t = 0; x < w; x++, t += k) {
        if (t >= w) t -= w;
        a += v[row + x] * cos[t];
        b -= v[row + x] * sin[t];
      }
      re[y * half + k] = a;
      im[y * half + k] = b;
    }
  }
  return [re, im];
}

/** DFT along columns of the half-plane, then the power mirrored into the full plane. */
function columnPower(re: Float64Array, im: Float64Array, w: number, h: number, half: number): Float64Array {
  const [cos, sin] = twiddles(h);
  const power = new Float64Array(w * h);
  for (let kx = 0; kx < half; kx++) {
    for (let ky = 0; ky < h; ky++) {
      let a = 0;
      let b = 0;
      for (let y = 0, t = 0; y < h; y++, t += ky) {
        if (t >= h) t -= h;
        const r = re[y * half + kx];
        const i = im[y * half + kx];
        a += r * cos[t] + i * sin[t];
        b += i * cos[t] - r * sin[t];
      }
      const p = a * a + b * b;
      power[ky * w + kx] = p;
      power[((h - ky) % h) * w + ((w - kx) % w)] = p;
    }
  }
  return power;
}

export function powerSpectrum(gray: Float32Array, w: number, h: number, maxSide = 256): PowerSpectrum {
  const scale = Math.max(1, Math.ceil(Math.max(w, h) / maxSide));
  const r = reduce(gray, w, h, scale);
  const half = Math.floor(r.w / 2) + 1;
  const [re, im] = rowTransform(windowed(r.data, r.w, r.h), r.w, r.h, half);
  return { w: r.w, h: r.h, power: columnPower(re, im, r.w, r.h, half), scale };
}
