import { beforeAll, describe, expect, it } from 'vitest';
import { sparseAffinities } from '../pipeline/embedding/affinities.ts';
import { atlasGrid, cellOf, pageSizes } from '../pipeline/embedding/atlas-grid.ts';
import { coarseGroups, majorityGroup } from '../pipeline/embedding/coarse-groups.ts';
import { nearestNeighbours, normalizeRows } from '../pipeline/embedding/knn.ts';
import { fitUnitBox, mapLayouts, MAP_DEFAULTS } from '../pipeline/embedding/layouts.ts';
import { LAYOUT_IDS, layoutSkipReason } from '../pipeline/embedding/map-config.ts';
import { decodeMap, encodeMap } from '../pipeline/embedding/map-binary.ts';
import { jacobiEigen, pcaScores } from '../pipeline/embedding/pca.ts';
import { barnesHutRepulsion } from '../pipeline/embedding/repulsion-bh.ts';
import { fftRepulsion } from '../pipeline/embedding/repulsion-fft.ts';
import { knnPreservation, tsne } from '../pipeline/embedding/tsne.ts';
import { gaussians, mulberry32 } from '../pipeline/featurevis/random.ts';
import { useWasmWithCpuReference } from './helpers/backends.ts';

beforeAll(useWasmWithCpuReference);

/** `clusters` Gaussian blobs in d dimensions, centres `spread` apart (unit noise); labels by index. */
function blobs(n: number, d: number, clusters: number, spread: number, seed = 3): { x: Float32Array; label: Int32Array } {
  const noise = gaussians(n * d, mulberry32(seed));
  const centres = gaussians(clusters * d, mulberry32(seed + 1));
  const x = new Float32Array(n * d);
  const label = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    label[i] = i % clusters;
    for (let j = 0; j < d; j++) x[i * d + j] = noise[i * d + j] + spread * centres[label[i] * d + j];
  }
  return { x, label };
}

/** Share of each point's k nearest layout neighbours that share its label. */
function clusterPurity(y: Float32Array, dims: number, label: Int32Array, k = 10): number {
  const nb = nearestNeighbours(y, label.length, dims, k);
  let same = 0;
  for (let i = 0; i < label.length; i++) for (let j = 0; j < nb.k; j++) same += label[nb.index[i * nb.k + j]] === label[i] ? 1 : 0;
  return same / (label.length * nb.k);
}

describe('exact nearest neighbours', () => {
  it('equal a brute-force cosine search', () => {
    const n = 150;
    const d = 16;
    const x = normalizeRows(gaussians(n * d, mulberry32(7)), n, d);
    const nb = nearestNeighbours(x, n, d, 12);
    for (let i = 0; i < n; i++) {
      const sims = Array.from({ length: n }, (_, j) => {
        let s = 0;
        for (let a = 0; a < d; a++) s += x[i * d + a] * x[j * d + a];
        return { j, s };
      })
        .filter((e) => e.j !== i)
        .sort((a, b) => b.s - a.s);
      expect(Array.from(nb.index.subarray(i * 12, (i + 1) * 12))).toEqual(sims.slice(0, 12).map((e) => e.j));
      for (let k = 0; k < 12; k++) expect(nb.dist2[i * 12 + k]).toBeCloseTo(2 - 2 * sims[k].s, 4);
    }
  });
});

describe('t-SNE', () => {
  it('affinities have the requested perplexity per row and are a symmetric distribution', () => {
    const n = 200;
    const { x } = blobs(n, 10, 4, 3);
    const p = sparseAffinities(nearestNeighbours(x, n, 10, 45), 15);
    let total = 0;
    const at = (i: number, j: number) => {
      for (let e = p.rowStart[i]; e < p.rowStart[i + 1]; e++) if (p.col[e] === j) return p.val[e];
      return 0;
    };
    for (let i = 0; i < n; i++) for (let e = p.rowStart[i]; e < p.rowStart[i + 1]; e++) {
      total += p.val[e];
      expect(at(p.col[e], i)).toBeCloseTo(p.val[e], 12);
    }
    expect(total).toBeCloseTo(1, 9);
  });

  it('Barnes–Hut and FFT repulsion match the exact sum', () => {
    const n = 400;
    const y2 = Float64Array.from(gaussians(n * 2, mulberry32(11)), (v) => v * 8);
    const exact = new Float64Array(n * 2);
    let zExact = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const dx = y2[2 * i] - y2[2 * j];
      const dy = y2[2 * i + 1] - y2[2 * j + 1];
      const q = 1 / (1 + dx * dx + dy * dy);
      zExact += q;
      exact[2 * i] += q * q * dx;
      exact[2 * i + 1] += q * q * dy;
    }
    const relErr = (f: Float64Array) => {
      let num = 0;
      let den = 0;
      for (let e = 0; e < f.length; e++) {
        num += (f[e] - exact[e]) ** 2;
        den += exact[e] ** 2;
      }
      return Math.sqrt(num / den);
    };
    // Linear interpolation on a 0.5-unit grid is coarser than Barnes–Hut at theta 0.5; t-SNE
    // layouts come out alike (next test), and it is what makes 50,000 points affordable.
    for (const [name, engine, tolerance] of [['barnes-hut', barnesHutRepulsion(2, 0.5), 0.03], ['fft', fftRepulsion(), 0.12]] as const) {
      const f = new Float64Array(n * 2);
      const z = engine(y2, n, f);
      console.log(`${name}: Z relative error ${(Math.abs(z - zExact) / zExact).toExponential(2)}, force relative error ${relErr(f).toExponential(2)}`);
      expect(Math.abs(z - zExact) / zExact).toBeLessThan(0.03);
      expect(relErr(f)).toBeLessThan(tolerance);
    }
  });

  it('is reproducible with a seed and separates well-separated clusters (2D FFT, 2D and 3D Barnes–Hut)', () => {
    const n = 200;
    const d = 20;
    const { x, label } = blobs(n, d, 5, 4);
    const opts = { iterations: 250, exaggerationIterations: 80, init: 'random' as const, seed: 5 };
    for (const [dims, repulsion] of [[2, 'fft'], [2, 'barnes-hut'], [3, 'barnes-hut']] as const) {
      const a = tsne(x, n, d, { ...opts, dims, repulsion });
      const b = tsne(x, n, d, { ...opts, dims, repulsion });
      expect(Array.from(a)).toEqual(Array.from(b));
      const c = tsne(x, n, d, { ...opts, dims, repulsion, seed: 6 });
      expect(Array.from(c)).not.toEqual(Array.from(a));
      const purity = clusterPurity(a, dims, label);
      const kept = knnPreservation(x, d, a, dims, n, 10);
      console.log(`t-SNE ${dims}D ${repulsion}: cluster purity of 10-NN ${purity.toFixed(3)}, kNN preservation ${kept.toFixed(3)} (chance ${(10 / n).toFixed(3)})`);
      expect(purity).toBeGreaterThan(0.97);
      expect(kept).toBeGreaterThan(0.2);
    }
  });

  it('mapLayouts gives 2D and 3D t-SNE, UMAP and cosine neighbours, each reproducible', () => {
    const n = 120;
    const d = 60;
    const { x, label } = blobs(n, d, 3, 5);
    const settings = { ...MAP_DEFAULTS, iterations: 200, pcaDims: 10 };
    const a = mapLayouts(x, n, d, settings);
    const b = mapLayouts(x, n, d, settings);
    expect(a.layouts.map((l) => l.id)).toEqual(['tsne-2d', 'tsne-3d', 'umap-2d']);
    for (const [i, l] of a.layouts.entries()) {
      expect(Array.from(l.positions)).toEqual(Array.from(b.layouts[i].positions));
      expect(Math.max(...Array.from(l.positions, Math.abs))).toBeCloseTo(1, 6);
      const purity = clusterPurity(l.positions, l.dims, label);
      console.log(`${l.id}: cluster purity ${purity.toFixed(3)}`);
      expect(purity).toBeGreaterThan(0.95);
    }
    expect(a.neighbours.k).toBe(12);
    expect(a.pca.dims).toBe(10);
    // The per-layer maps' default: 2D t-SNE only, the same positions as when all layouts are computed.
    const only2d = mapLayouts(x, n, d, { ...settings, layouts: ['tsne-2d'] });
    expect(only2d.layouts.map((l) => l.id)).toEqual(['tsne-2d']);
    expect(Array.from(only2d.layouts[0].positions)).toEqual(Array.from(a.layouts[0].positions));
    expect(Array.from(only2d.neighbours.index)).toEqual(Array.from(a.neighbours.index));
  });

  it('a layout left out names why and the command that computes it', () => {
    const perLayer = layoutSkipReason('umap-2d', ['tsne-2d'], 768, 4000)!;
    expect(perLayer).toContain('maps.perLayer');
    expect(perLayer).toContain('npm run build -- --config atlas.full.config.ts');
    expect(layoutSkipReason('tsne-3d', LAYOUT_IDS, 5000, 4000)).toMatch(/up to 4000 points; this one has 5000/);
    expect(layoutSkipReason('tsne-3d', LAYOUT_IDS, 100, 4000)).toBeNull();
  });
});

describe('PCA', () => {
  it('randomized scores match the exact eigen-decomposition of the covariance', () => {
    const n = 80;
    const d = 12;
    // Strongly decaying spectrum, as in real features.
    const g = gaussians(n * d, mulberry32(9));
    const x = Float32Array.from(g, (v, e) => v * 3 ** -(e % d) * 10);
    const { scores, explained } = pcaScores(x, n, d, 3, 1);
    const mean = Array.from({ length: d }, (_, j) => Array.from({ length: n }, (_, i) => x[i * d + j]).reduce((s, v) => s + v, 0) / n);
    const cov = new Float64Array(d * d);
    for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) cov[a * d + b] += (x[i * d + a] - mean[a]) * (x[i * d + b] - mean[b]);
    const { values, vectors } = jacobiEigen(cov, d);
    const order = Array.from(values.keys()).sort((a, b) => values[b] - values[a]);
    for (let c = 0; c < 3; c++) {
      const e = order[c];
      let dot = 0;
      let nn = 0;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let a = 0; a < d; a++) s += (x[i * d + a] - mean[a]) * vectors[a * d + e];
        dot += s * scores[i * 3 + c];
        nn += s * s;
      }
      // Same component up to sign.
      expect(Math.abs(dot) / nn).toBeCloseTo(1, 3);
    }
    const total = values.reduce((s, v) => s + v, 0);
    expect(explained).toBeCloseTo((values[order[0]] + values[order[1]] + values[order[2]]) / total, 3);
  });
});

describe('atlas cells', () => {
  it('row = floor(i / perRow), also when a page is not square', () => {
    const grid = { cell: 64, perRow: 5, rowsPerPage: 3 };
    expect(cellOf(grid, 7)).toEqual({ page: 0, col: 2, row: 1, x: 128, y: 64 });
    expect(cellOf(grid, 14)).toEqual({ page: 0, col: 4, row: 2, x: 256, y: 128 });
    expect(cellOf(grid, 15)).toEqual({ page: 1, col: 0, row: 0, x: 0, y: 0 });
    expect(cellOf(grid, 23)).toEqual({ page: 1, col: 3, row: 1, x: 192, y: 64 });
    expect(pageSizes(grid, 23)).toEqual([
      { width: 320, height: 192 },
      { width: 320, height: 128 },
    ]);
  });

  it('4096 px pages of 64 px cells hold 64 × 64 thumbnails', () => {
    const grid = atlasGrid(4096, 64);
    expect(cellOf(grid, 4095)).toMatchObject({ page: 0, col: 63, row: 63 });
    expect(cellOf(grid, 4096)).toMatchObject({ page: 1, col: 0, row: 0 });
    expect(cellOf(grid, 130)).toMatchObject({ page: 0, col: 2, row: 2, x: 128, y: 128 });
    expect(() => atlasGrid(4000, 64)).toThrow(/not a multiple/);
  });
});

describe('map file and groups', () => {
  it('round-trips typed sections and strings', () => {
    const pos = Float32Array.from([0.5, -1, 1, 0.25, 0, 0]);
    const bytes = encodeMap(
      { count: 3, labels: ['a', 'b', 'ü'], sub: ['', '', ''], links: ['x/', '', ''], pictures: ['', '', ''], groups: ['dog', 'object'], classNames: { 7: 'seven' } },
      { 'tsne-2d': { data: pos, width: 2 }, group: { data: Uint8Array.from([0, 1, 1]), width: 1 }, neighbours: { data: Uint32Array.from([1, 2, 0]), width: 1 } },
    );
    const m = decodeMap(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    expect(Array.from(m.f32('tsne-2d'))).toEqual(Array.from(pos));
    expect(Array.from(m.u8('group'))).toEqual([0, 1, 1]);
    expect(Array.from(m.u32('neighbours'))).toEqual([1, 2, 0]);
    expect(m.header.labels[2]).toBe('ü');
    expect(() => m.u16('group')).toThrow(/u8/);
    expect(() => encodeMap({ count: 2, labels: [], sub: [], links: [], pictures: [], groups: [], classNames: {} }, { g: { data: new Uint8Array(3), width: 1 } })).toThrow(/3 values for 2 points/);
  });

  it('colours ImageNet classes by coarse group, units by the majority of their top images', () => {
    const labels = Array.from({ length: 1000 }, (_, i) => `class ${i}`);
    Object.assign(labels, { 0: 'tench', 151: 'Chihuahua', 281: 'tabby', 404: 'airliner', 999: 'toilet tissue' });
    const g = coarseGroups(labels);
    expect(g.names[g.of(151)]).toBe('dog');
    expect(g.names[g.of(281)]).toBe('cat');
    expect(g.names[g.of(404)]).toBe('vehicle');
    expect(g.names[g.of(15)]).toBe('bird');
    expect(g.names[g.of(500)]).toBe('object');
    expect(g.names[majorityGroup(g, [151, 152, 15, null])]).toBe('dog');
    // Few non-ImageNet classes (CIFAR-10) are coloured one per class; many fall back to one group.
    const cifar = coarseGroups(['airplane', 'automobile', 'bird']);
    expect(cifar.names).toEqual(['airplane', 'automobile', 'bird', 'other']);
    expect([cifar.of(2), cifar.of(null), cifar.of(7)]).toEqual([2, 3, 3]);
    expect(coarseGroups(['a']).names).toEqual(['all']);
    expect(coarseGroups(Array.from({ length: 11 }, (_, i) => `c${i}`)).names).toEqual(['all']);
  });

  it('fitUnitBox centres and scales to ±1', () => {
    const y = fitUnitBox(Float32Array.from([2, 2, 4, 6]), 2);
    expect(Array.from(y)).toEqual([-0.5, -1, 0.5, 1]);
  });
});
