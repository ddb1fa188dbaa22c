import { gaussians, mulberry32 } from '../featurevis/random.ts';
import { knnPreservation, tsne } from '../embedding/tsne.ts';
import { round, type Figure } from './measure.ts';

/**
 * t-SNE (2D, the default settings: perplexity 30, 750 iterations) on synthetic 50-dimensional
 * data (the PCA output the maps feed it): 20 Gaussian clusters. Seconds include the exact kNN and
 * the affinities; peak memory is the process's maximum resident set so far (sizes run smallest
 * first, so each figure is that size's peak or an earlier one's).
 */
export function benchTsne(sizes: number[], log: (msg: string) => void): Figure[] {
  const figures: Figure[] = [];
  const d = 50;
  for (const n of sizes) {
    const noise = gaussians(n * d, mulberry32(1));
    const centres = gaussians(20 * d, mulberry32(2));
    const x = Float32Array.from(noise, (v, e) => v + 1.5 * centres[(Math.floor(e / d) % 20) * d + (e % d)]);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const y = tsne(x, n, d, { dims: 2 });
    const seconds = (performance.now() - t0) / 1000;
    // CPU time too: on a shared machine wall time says more about the neighbours than about t-SNE.
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const peakMb = process.resourceUsage().maxRSS / 1024;
    const kept = n <= 10_000 ? knnPreservation(x, d, y, 2, n, 10) : null;
    log(`t-SNE 2D n=${n}: ${seconds.toFixed(1)} s wall, ${cpuSeconds.toFixed(1)} s CPU, peak RSS ${peakMb.toFixed(0)} MB${kept === null ? '' : `, 10-NN preservation ${kept.toFixed(3)}`}`);
    figures.push({ name: `tsne/n${n}/seconds`, value: round(seconds, 1), unit: 's' }, { name: `tsne/n${n}/cpu_seconds`, value: round(cpuSeconds, 1), unit: 's' }, { name: `tsne/n${n}/peak_rss_mb`, value: Math.round(peakMb), unit: 'MB' });
    if (kept !== null) figures.push({ name: `tsne/n${n}/knn10_preservation`, value: round(kept, 3), unit: 'share' });
  }
  return figures;
}
