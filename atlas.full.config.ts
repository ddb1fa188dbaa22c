/**
 * The default gallery without the lighter defaults: MobileNet and Darknet tiny get the per-image
 * analyses for every photo (MobileNet: 28 instead of 12, Darknet: 28 instead of 2), class models for
 * all their classes and 4 atlas units per layer (MobileNet: instead of 3, Darknet: instead of 1); every per-layer unit map
 * gets 3D t-SNE and UMAP besides 2D t-SNE; the transfer probe uses 1,500 CIFAR-10 training and 500
 * test images (instead of 600 and 300). Estimated ~28 minutes more than `npm run build` on 2 cores
 * (README, "Over budget now": ~7 min for MobileNet's 16 photos beyond what hides behind its
 * main-thread steps and ~1.5 min for its 27 atlas units more, ~14 min for Darknet's 26 photos and ~5 min for its atlas, ~2 min for the
 * per-layer 3D t-SNE and UMAP layouts; the larger transfer sets, ~3.5 min of main thread, run while
 * the workers analyse the extra photos, so they add little).
 *
 *   npm run build -- --config atlas.full.config.ts
 */
import { defineConfig } from './pipeline/config/define-config.ts';
import { CIFAR_MODEL, DARKNET_MODEL, DEFAULT_MODEL } from './pipeline/config/defaults.ts';
import { FULL_MAP_CONFIG } from './pipeline/embedding/map-config.ts';
import { FULL_EXPERIMENT_CONFIG } from './pipeline/experiments/experiment-config.ts';

export default defineConfig({
  models: [DEFAULT_MODEL, DARKNET_MODEL, CIFAR_MODEL],
  maps: FULL_MAP_CONFIG,
  experiments: FULL_EXPERIMENT_CONFIG,
});
