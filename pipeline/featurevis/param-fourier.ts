import * as tf from '@tensorflow/tfjs';
import { decorrelatedToRgb, rgbToDecorrelated } from './color.ts';
import { constLeftMatMul, constRightMatMul } from './matmul.ts';
import { gaussians, mulberry32 } from './random.ts';

/**
 * Lucid's Fourier image parameterization (`fft_image` + `to_valid_rgb`), for a batch of N images:
 *
 *   image = sigmoid(decorrelate(irfft2d(params · scale) / 4))
 *   scale[ky, kx] = sqrt(w·h) / max(f, 1/max(w, h))^decayPower,  f = |(fftfreq(h)[ky], rfftfreq(w)[kx])|
 *
 * irfft2d is TensorFlow's/numpy's: normalized by 1/(w·h), the imaginary parts of the kx = 0 and
 * Nyquist columns enter only through the ifft along y. wasm has no FFT kernels, so both 1-D passes
 * are matmuls with precomputed cos/sin matrices (a few ms at 128 px).
 *
 * The spectrum tensor layout is [2, fh, N, 3, fw]: (real, imaginary) × ky × item × channel × kx, with
 * fh = h and fw = floor(w/2) + 1. It keeps both passes plain 2-D matmuls with only 4-D transposes
 * between them (wasm's 5-D transpose is slow), and the backward pass multiplies by precomputed
 * transposed matrices (wasm's transposed matmul, which tfjs's matMul gradient uses, is ~10x slower). (Lucid crops an odd width
 * from an irfft of length w + 1; here an odd width is a true length-w irfft.)
 */
export interface SpectrumShape {
  h: number;
  w: number;
  fh: number;
  fw: number;
  batch: number;
}

export function spectrumShape(h: number, w: number, batch: number): SpectrumShape {
  return { h, w, fh: h, fw: Math.floor(w / 2) + 1, batch };
}

export const spectrumDims = (s: SpectrumShape): [number, number, number, number, number] => [2, s.fh, s.batch, 3, s.fw];

/** |frequency| in cycles per pixel for each (ky, kx) of an rfft2d, row-major [fh, fw] (Lucid's rfft2d_freqs). */
export function rfft2dFreqs(h: number, w: number): Float32Array {
  const fw = Math.floor(w / 2) + 1;
  const out = new Float32Array(h * fw);
  for (let ky = 0; ky < h; ky++) {
    const fy = (ky <= (h - 1) / 2 ? ky : ky - h) / h; // numpy fftfreq
    for (let kx = 0; kx < fw; kx++) {
      const fx = kx / w;
      out[ky * fw + kx] = Math.sqrt(fx * fx + fy * fy);
    }
  }
  return out;
}

/** sqrt(w·h) / max(f, 1/max(w,h))^decayPower per (ky, kx), [fh, fw]. */
export function spectrumScale(h: number, w: number, decayPower = 1): Float32Array {
  const freqs = rfft2dFreqs(h, w);
  const floor = 1 / Math.max(h, w);
  return freqs.map((f) => Math.sqrt(w * h) / Math.max(f, floor) ** decayPower);
}

/** Precomputed DFT matrices for one (h, w), kept alive for reuse (a few hundred KB at 128 px). */
interface DftMatrices {
  /** Inverse along y, complex as a real block matrix [[C, −S], [S, C]], [2h, 2fh]. */
  invY: tf.Tensor2D;
  /** Inverse real along x with TF's 1/(w·h) and the c_k = 1|2 Hermitian weights, [2fw, w]. */
  invX: tf.Tensor2D;
  /** Forward along x: [w, 2fw] (cos, −sin). */
  fwdX: tf.Tensor2D;
  /** Forward along y: [[C, S], [−S, C]], [2fh, 2h]. */
  fwdY: tf.Tensor2D;
  invYt: tf.Tensor2D;
  invXt: tf.Tensor2D;
}

const cache = new Map<string, DftMatrices>();

function dftMatrices(h: number, w: number): DftMatrices {
  const key = `${h}x${w}`;
  const hit = cache.get(key);
  if (hit && !hit.invY.isDisposed) return hit;
  const fw = Math.floor(w / 2) + 1;
  const fh = h;
  const invY = new Float32Array(2 * h * 2 * fh);
  const fwdY = new Float32Array(2 * fh * 2 * h);
  for (let y = 0; y < h; y++) {
    for (let ky = 0; ky < fh; ky++) {
      const a = (2 * Math.PI * ((ky * y) % h)) / h;
      const c = Math.cos(a);
      const s = Math.sin(a);
      // inverse: rows (re y | im y), cols (re ky | im ky)
      invY[y * 2 * fh + ky] = c;
      invY[y * 2 * fh + fh + ky] = -s;
      invY[(h + y) * 2 * fh + ky] = s;
      invY[(h + y) * 2 * fh + fh + ky] = c;
      // forward: rows (re ky | im ky), cols (re y | im y); e^{-ia}: re = Zr c + Zi s, im = Zi c − Zr s
      fwdY[ky * 2 * h + y] = c;
      fwdY[ky * 2 * h + h + y] = s;
      fwdY[(fh + ky) * 2 * h + y] = -s;
      fwdY[(fh + ky) * 2 * h + h + y] = c;
    }
  }
  const invX = new Float32Array(2 * fw * w);
  const fwdX = new Float32Array(w * 2 * fw);
  const norm = 1 / (w * h);
  for (let kx = 0; kx < fw; kx++) {
    const weight = kx === 0 || 2 * kx === w ? 1 : 2;
    for (let x = 0; x < w; x++) {
      const a = (2 * Math.PI * ((kx * x) % w)) / w;
      invX[kx * w + x] = weight * norm * Math.cos(a);
      invX[(fw + kx) * w + x] = -weight * norm * Math.sin(a);
      fwdX[x * 2 * fw + kx] = Math.cos(a);
      fwdX[x * 2 * fw + fw + kx] = -Math.sin(a);
    }
  }
  const m: DftMatrices = {
    invY: tf.keep(tf.tensor2d(invY, [2 * h, 2 * fh])),
    invX: tf.keep(tf.tensor2d(invX, [2 * fw, w])),
    fwdX: tf.keep(tf.tensor2d(fwdX, [w, 2 * fw])),
    fwdY: tf.keep(tf.tensor2d(fwdY, [2 * fh, 2 * h])),
    invYt: tf.keep(tf.tidy(() => tf.transpose(tf.tensor2d(invY, [2 * h, 2 * fh])))),
    invXt: tf.keep(tf.tidy(() => tf.transpose(tf.tensor2d(invX, [2 * fw, w])))),
  };
  cache.set(key, m);
  return m;
}

/** Frees the cached DFT matrices (they are otherwise kept for the process's lifetime). */
export function disposeDftCache(): void {
  for (const m of cache.values()) Object.values(m).forEach((t: tf.Tensor) => t.dispose());
  cache.clear();
}

/**
 * TF/numpy irfft2d over (ky, kx) of a spectrum in the [2, fh, N, 3, fw] layout → real images
 * [N, h, w, 3], normalized by 1/(w·h). Differentiable (matmuls and transposes only).
 */
export function irfft2d(spectrum: tf.Tensor, h: number, w: number): tf.Tensor4D {
  const [two, fh, n, ch, fw] = spectrum.shape;
  if (two !== 2 || fh !== h || ch !== 3 || fw !== Math.floor(w / 2) + 1) {
    throw new Error(`spectrum shape [${spectrum.shape}] does not fit a ${h}x${w} image (want [2, ${h}, N, 3, ${Math.floor(w / 2) + 1}])`);
  }
  const { invY, invYt, invX, invXt } = dftMatrices(h, w);
  return tf.tidy(() => {
    const cols = n * ch * fw;
    const alongY = constLeftMatMul(invY, invYt, tf.reshape(spectrum, [2 * fh, cols]) as tf.Tensor2D); // [2h, N·3·fw]
    const rows = tf.reshape(tf.transpose(tf.reshape(alongY, [2, h, n * ch, fw]), [1, 2, 0, 3]), [h * n * ch, 2 * fw]) as tf.Tensor2D;
    const img = tf.reshape(constRightMatMul(rows, invX, invXt), [h, n, ch, w]);
    return tf.transpose(img, [1, 0, 3, 2]) as tf.Tensor4D;
  });
}

/** Unnormalized rfft2d of real images [N, h, w, 3] → spectrum [2, h, N, 3, floor(w/2)+1]; irfft2d inverts it. */
export function rfft2d(images: tf.Tensor4D): tf.Tensor {
  const [n, h, w, ch] = images.shape;
  const { fwdX, fwdY } = dftMatrices(h, w);
  const fw = Math.floor(w / 2) + 1;
  return tf.tidy(() => {
    const rows = tf.reshape(tf.transpose(images, [1, 0, 3, 2]), [h * n * ch, w]) as tf.Tensor2D;
    const alongX = tf.reshape(tf.matMul(rows, fwdX), [h, n * ch, 2, fw]);
    const byY = tf.reshape(tf.transpose(alongX, [2, 0, 1, 3]), [2 * h, n * ch * fw]) as tf.Tensor2D;
    return tf.reshape(tf.matMul(fwdY, byY), [2, h, n, ch, fw]);
  });
}

export interface FourierOptions {
  size: number | [number, number];
  batch?: number;
  seed?: number;
  /** Standard deviation of the initial spectrum (Lucid: 0.01). */
  std?: number;
  decayPower?: number;
  /** Lucid's color decorrelation (default true). */
  decorrelate?: boolean;
}

export interface FourierImage {
  /** The optimized spectrum, [2, h, N, 3, floor(w/2)+1] (see spectrumShape). */
  variable: tf.Variable;
  shape: SpectrumShape;
  /** The images, [N, h, w, 3] in (0, 1). Differentiable with respect to `variable`. */
  render(): tf.Tensor4D;
  dispose(): void;
}

const sizeOf = (size: number | [number, number]): [number, number] => (Array.isArray(size) ? size : [size, size]);

/** Per-frequency scale (with Lucid's final /4) as a tensor broadcasting over the spectrum layout. */
function scaleTensor(s: SpectrumShape, decayPower: number): tf.Tensor {
  const scale = spectrumScale(s.h, s.w, decayPower).map((v) => v / 4);
  return tf.tensor(scale, [1, s.fh, 1, 1, s.fw]);
}

/** The render pipeline as a pure function of the spectrum parameters. */
export function imageFromSpectrum(params: tf.Tensor, h: number, w: number, opts: { decayPower?: number; decorrelate?: boolean } = {}): tf.Tensor4D {
  return tf.tidy(() => {
    const s = spectrumShape(h, w, params.shape[2] as number);
    const pre = irfft2d(tf.mul(params, scaleTensor(s, opts.decayPower ?? 1)), h, w);
    const rgb = opts.decorrelate === false ? pre : decorrelatedToRgb(pre);
    return tf.sigmoid(rgb) as tf.Tensor4D;
  });
}

/**
 * The inverse of imageFromSpectrum: images [N, h, w, 3] with values in (0, 1) (clipped to
 * [1e-4, 1 − 1e-4] before the logit) → spectrum parameters that render them.
 */
export function spectrumFromImage(images: tf.Tensor4D, opts: { decayPower?: number; decorrelate?: boolean } = {}): tf.Tensor {
  const [, h, w] = images.shape;
  return tf.tidy(() => {
    const clipped = tf.clipByValue(images, 1e-4, 1 - 1e-4);
    const logit = tf.sub(tf.log(clipped), tf.log1p(tf.neg(clipped)));
    const pre = opts.decorrelate === false ? logit : rgbToDecorrelated(logit);
    const spectrum = rfft2d(pre as tf.Tensor4D);
    const s = spectrumShape(h, w, images.shape[0]);
    return tf.div(spectrum, scaleTensor(s, opts.decayPower ?? 1));
  });
}

/** A batch of Fourier-parameterized images initialized with N(0, std²) spectra from `seed`. */
export function fourierImage(opts: FourierOptions): FourierImage {
  const [h, w] = sizeOf(opts.size);
  const dims = spectrumDims(spectrumShape(h, w, opts.batch ?? 1));
  const std = opts.std ?? 0.01;
  const init = tf.tensor(gaussians(dims.reduce((a, b) => a * b, 1), mulberry32(opts.seed ?? 0)).map((v) => v * std), dims);
  try {
    return fourierImageFrom(init, h, w, opts);
  } finally {
    init.dispose();
  }
}

/** Wraps an existing spectrum (e.g. from spectrumFromImage) as a trainable FourierImage; copies it. */
export function fourierImageFrom(params: tf.Tensor, h: number, w: number, opts: { decayPower?: number; decorrelate?: boolean } = {}): FourierImage {
  const s = spectrumShape(h, w, params.shape[2] as number);
  const variable = tf.variable(params, true);
  const scale = tf.keep(scaleTensor(s, opts.decayPower ?? 1));
  return {
    variable,
    shape: s,
    render: () =>
      tf.tidy(() => {
        const pre = irfft2d(tf.mul(variable, scale), h, w);
        return tf.sigmoid(opts.decorrelate === false ? pre : decorrelatedToRgb(pre)) as tf.Tensor4D;
      }),
    dispose: () => {
      variable.dispose();
      scale.dispose();
    },
  };
}
