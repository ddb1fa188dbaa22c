import FFT from 'fft.js';

/**
 * Repulsion for 2D t-SNE by interpolation on a grid and FFT convolution, the idea of FIt-SNE
 * (Linderman et al. 2019) with linear (cloud-in-cell) interpolation: charges 1, x and y are spread
 * onto an M×M grid, convolved with the kernels 1/(1+r²) and 1/(1+r²)² by FFT (zero-padded to 2M,
 * so the convolution is not circular), and read back at each point. Cost per iteration is
 * O(n + M² log M) however many points there are: what makes 50,000 points feasible in JS, where
 * Barnes–Hut's O(n log n) with a large constant is not. Grid spacing ≤ SPACING embedding units
 * (the kernel's scale is 1), M a power of two up to MAX_GRID.
 */
const SPACING = 0.5;
const MIN_GRID = 32;
const MAX_GRID = 256;

export function fftRepulsion(): (y: Float64Array, n: number, force: Float64Array) => number {
  const ffts = new Map<number, FFT>();
  let kHat: Float64Array | undefined;
  let kernelSize = 0;
  let kernelH = 0;
  return (y, n, force) => {
    let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      minX = Math.min(minX, y[2 * i]);
      maxX = Math.max(maxX, y[2 * i]);
      minY = Math.min(minY, y[2 * i + 1]);
      maxY = Math.max(maxY, y[2 * i + 1]);
    }
    const extent = Math.max(maxX - minX, maxY - minY, 1e-6);
    // Spacing stays SPACING while the grid fits, so the kernel's spectrum is reused between iterations.
    let m = MIN_GRID;
    while (m < MAX_GRID && extent / (m - 1) > SPACING) m *= 2;
    const h = Math.max(SPACING, extent / (m - 1));
    const size = 2 * m;
    let fft = ffts.get(size);
    if (!fft) ffts.set(size, (fft = new FFT(size)));
    if (!kHat || kernelSize !== size || kernelH !== h) {
      kHat = kernelSpectrum(fft, size, m, h);
      kernelSize = size;
      kernelH = h;
    }

    // Cloud-in-cell weights of each point: cell (cx, cy) and fractions (fx, fy).
    const cell = new Int32Array(n);
    const fx = new Float64Array(n);
    const fy = new Float64Array(n);
    const rho = new Float64Array(2 * size * size); // complex: ρ
    const rxy = new Float64Array(2 * size * size); // complex: ρx + iρy
    for (let i = 0; i < n; i++) {
      const gx = (y[2 * i] - minX) / h;
      const gy = (y[2 * i + 1] - minY) / h;
      const cx = Math.min(m - 2, Math.floor(gx));
      const cy = Math.min(m - 2, Math.floor(gy));
      cell[i] = cy * size + cx;
      fx[i] = gx - cx;
      fy[i] = gy - cy;
      const px = y[2 * i];
      const py = y[2 * i + 1];
      const w = [(1 - fx[i]) * (1 - fy[i]), fx[i] * (1 - fy[i]), (1 - fx[i]) * fy[i], fx[i] * fy[i]];
      const at = [cell[i], cell[i] + 1, cell[i] + size, cell[i] + size + 1];
      for (let c = 0; c < 4; c++) {
        rho[2 * at[c]] += w[c];
        rxy[2 * at[c]] += w[c] * px;
        rxy[2 * at[c] + 1] += w[c] * py;
      }
    }
    const rhoHat = fft2(fft, size, rho, false);
    const rxyHat = fft2(fft, size, rxy, false);
    // Real and even kernels have real spectra: Re(kHat) = K̂1, Im(kHat) = K̂2.
    for (let e = 0; e < size * size; e++) {
      const k1 = kHat[2 * e];
      const k2 = kHat[2 * e + 1];
      const rr = rhoHat[2 * e];
      const ri = rhoHat[2 * e + 1];
      // ρ̂·(K̂1 + iK̂2) → φ1 + iφ2 after the inverse transform.
      rhoHat[2 * e] = rr * k1 - ri * k2;
      rhoHat[2 * e + 1] = ri * k1 + rr * k2;
      rxyHat[2 * e] *= k2;
      rxyHat[2 * e + 1] *= k2;
    }
    const phi = fft2(fft, size, rhoHat, true);
    const phiXY = fft2(fft, size, rxyHat, true);
    let z = 0;
    for (let i = 0; i < n; i++) {
      const w = [(1 - fx[i]) * (1 - fy[i]), fx[i] * (1 - fy[i]), (1 - fx[i]) * fy[i], fx[i] * fy[i]];
      const at = [cell[i], cell[i] + 1, cell[i] + size, cell[i] + size + 1];
      let p1 = 0, p2 = 0, px = 0, py = 0;
      for (let c = 0; c < 4; c++) {
        p1 += w[c] * phi[2 * at[c]];
        p2 += w[c] * phi[2 * at[c] + 1];
        px += w[c] * phiXY[2 * at[c]];
        py += w[c] * phiXY[2 * at[c] + 1];
      }
      z += p1 - 1; // less the point's own K1(0) = 1
      force[2 * i] = y[2 * i] * p2 - px;
      force[2 * i + 1] = y[2 * i + 1] * p2 - py;
    }
    return z;
  };
}

/** Both kernels on the padded grid, wrapped so offset −d sits at size − d, packed as K1 + i·K2, transformed. */
function kernelSpectrum(fft: FFT, size: number, m: number, h: number): Float64Array {
  const kern = new Float64Array(2 * size * size);
  for (let a = 0; a < size; a++) {
    const dy = (a < m ? a : a - size) * h;
    for (let b = 0; b < size; b++) {
      const dx = (b < m ? b : b - size) * h;
      const k1 = 1 / (1 + dx * dx + dy * dy);
      kern[2 * (a * size + b)] = k1;
      kern[2 * (a * size + b) + 1] = k1 * k1;
    }
  }
  return fft2(fft, size, kern, false);
}

/** 2D FFT of a size×size complex grid (interleaved re/im): rows, then columns. */
function fft2(fft: FFT, size: number, data: Float64Array, inverse: boolean): Float64Array {
  const out = new Float64Array(data.length);
  const rowIn = new Float64Array(2 * size);
  const rowOut = new Float64Array(2 * size);
  for (let r = 0; r < size; r++) {
    for (let j = 0; j < 2 * size; j++) rowIn[j] = data[2 * r * size + j];
    if (inverse) fft.inverseTransform(rowOut, rowIn);
    else fft.transform(rowOut, rowIn);
    for (let j = 0; j < 2 * size; j++) out[2 * r * size + j] = rowOut[j];
  }
  for (let c = 0; c < size; c++) {
    for (let r = 0; r < size; r++) {
      rowIn[2 * r] = out[2 * (r * size + c)];
      rowIn[2 * r + 1] = out[2 * (r * size + c) + 1];
    }
    if (inverse) fft.inverseTransform(rowOut, rowIn);
    else fft.transform(rowOut, rowIn);
    for (let r = 0; r < size; r++) {
      out[2 * (r * size + c)] = rowOut[2 * r];
      out[2 * (r * size + c) + 1] = rowOut[2 * r + 1];
    }
  }
  return out;
}
