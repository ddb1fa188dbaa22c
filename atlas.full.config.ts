/**
 * The default gallery without the lighter defaults of its second model: Darknet tiny gets the
 * per-image analyses for every photo, class models for all their classes and 4 atlas units per
 * layer, like MobileNet. About 25 minutes more than `npm run build` on 2 cores.
 *
 *   npm run build -- --config atlas.full.config.ts
 */
import { defineConfig } from './pipeline/config/define-config.ts';
import { DARKNET_MODEL, DEFAULT_MODEL } from './pipeline/config/defaults.ts';

export default defineConfig({ models: [DEFAULT_MODEL, DARKNET_MODEL] });
