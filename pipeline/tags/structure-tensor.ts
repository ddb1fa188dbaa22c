/**
 * Orientation from the structure tensor J = sum of g gᵀ over Sobel gradients g. Its dominant
 * eigenvector is the prevailing gradient direction; coherence (λ1 − λ2)/(λ1 + λ2) says how much
 * the gradients agree, 1 for perfect stripes, 0 for isotropic texture. Squaring the gradients is
 * what makes a dark-to-light and a light-to-dark edge count as the same orientation.
 */

export interface Orientation {
  /**
   * Direction of the stripes/edges themselves (along which brightness stays constant), in degrees
   * [0, 180) counter-clockwise from horizontal with y pointing up: 0 horizontal stripes, 90
   * vertical stripes, 45 stripes rising to the right ("/"), 135 falling ("\").
   */
  angle: number;
  /** Agreement of all gradients in the image, 0..1. */
  coherence: number;
  /** Energy-weighted mean of the coherence in windows of (2·radius+1)² pixels, 0..1. */
  localCoherence: number;
  /** Mean squared gradient magnitude per pixel, in the input's units squared. */
  energy: number;
}

interface Tensor {
  xx: Float64Array;
  yy: Float64Array;
  xy: Float64Array;
}

/** Sobel gradient products per interior pixel (border pixels stay zero: no made-up neighbours). */
function gradientProducts(g: Float32Array, w: number, h: number): Tensor {
  const t: Tensor = { xx: new Float64Array(w * h), yy: new Float64Array(w * h), xy: new Float64Array(w * h) };
  const at = (x: number, y: number) => g[y * w + x];
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const gx = at(x + 1, y - 1) + 2 * at(x + 1, y) + at(x + 1, y + 1) - at(x - 1, y - 1) - 2 * at(x - 1, y) - at(x - 1, y + 1);
      const gy = at(x - 1, y + 1) + 2 * at(x, y + 1) + at(x + 1, y + 1) - at(x - 1, y - 1) - 2 * at(x, y - 1) - at(x + 1, y - 1);
      const i = y * w + x;
      t.xx[i] = gx * gx;
      t.yy[i] = gy * gy;
      t.xy[i] = gx * gy;
    }
  }
  return t;
}

function coherenceOf(xx: number, yy: number, xy: number): number {
  const trace = xx + yy;
  return trace > 0 ? Math.sqrt((xx - yy) ** 2 + 4 * xy * xy) / trace : 0;
}

/** Summed-area table: any window sum in four lookups, whatever the window size. */
function integral(a: Float64Array, w: number, h: number): Float64Array {
  const s = new Float64Array((w + 1) * (h + 1));
  for (let y = 0; y < h; y++) {
    let row = 0;
    for (let x = 0; x < w; x++) {
      row += a[y * w + x];
      s[(y + 1) * (w + 1) + x + 1] = s[y * (w + 1) + x + 1] + row;
    }
  }
  return s;
}

function localCoherence(t: Tensor, w: number, h: number, radius: number): number {
  const [sxx, syy, sxy] = [integral(t.xx, w, h), integral(t.yy, w, h), integral(t.xy, w, h)];
  const stride = w + 1;
  let weighted = 0;
  let total = 0;
  for (let y = 0; y < h; y++) {
    const top = Math.max(0, y - radius) * stride;
    const bottom = Math.min(h, y + radius + 1) * stride;
    for (let x = 0; x < w; x++) {
      const left = Math.max(0, x - radius);
      const right = Math.min(w, x + radius + 1);
      const box = (s: Float64Array) => s[bottom + right] - s[top + right] - s[bottom + left] + s[top + left];
      const [xx, yy, xy] = [box(sxx), box(syy), box(sxy)];
      weighted += coherenceOf(xx, yy, xy) * (xx + yy);
      total += xx + yy;
    }
  }
  return total > 0 ? weighted / total : 0;
}

const sum = (a: Float64Array) => a.reduce((s, v) => s + v, 0);

/** `radius` of the local windows defaults to 1/32 of the shorter side (at least 2 px). */
export function orientation(gray: Float32Array, w: number, h: number, radius = Math.max(2, Math.round(Math.min(w, h) / 32))): Orientation {
  const t = gradientProducts(gray, w, h);
  const [xx, yy, xy] = [sum(t.xx), sum(t.yy), sum(t.xy)];
  const gradientAngle = (0.5 * Math.atan2(2 * xy, xx - yy) * 180) / Math.PI;
  // gradientAngle is measured with y pointing down; flipping y negates it, and the stripes run perpendicular.
  const angle = (((90 - gradientAngle) % 180) + 180) % 180;
  return { angle, coherence: coherenceOf(xx, yy, xy), localCoherence: localCoherence(t, w, h, radius), energy: (xx + yy) / (w * h) };
}
