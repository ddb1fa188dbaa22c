/**
 * The default gallery without the lighter defaults: MobileNet and Darknet tiny get the per-image
 * analyses for every photo (MobileNet: 28 instead of 12, Darknet: 28 instead of 2), class models for
 * all their classes and 4 atlas units per layer (Darknet: instead of 1). Estimated ~25 minutes more
 * than `npm run build` on 2 cores (README, "Over budget now": ~7 min for MobileNet's 16 photos beyond
 * what hides behind its main-thread steps, ~14 min for Darknet's 26 photos and ~5 min for its atlas).
 * The transfer experiment's sizes are not config settings (pipeline/experiments/settings.ts).
 *
 *   npm run build -- --config atlas.full.config.ts
 */
import { defineConfig } from './pipeline/config/define-config.ts';
import { CIFAR_MODEL, DARKNET_MODEL, DEFAULT_MODEL } from './pipeline/config/defaults.ts';

export default defineConfig({ models: [DEFAULT_MODEL, DARKNET_MODEL, CIFAR_MODEL] });
