// @ts-check
import { defineConfig } from 'astro/config';

/**
 * The site reads its directories from the environment so that a build into a temporary directory
 * (tests, `npm run build -- --out DIR`) never touches the real dist/ or public/. pipeline/steps/site.ts
 * sets these; without them the defaults below apply (e.g. `npx astro dev`).
 */
const env = process.env;

export default defineConfig({
  site: env.ATLAS_SITE || undefined,
  base: env.ATLAS_BASE || '/',
  publicDir: env.ATLAS_PUBLIC_DIR || './public',
  outDir: env.ATLAS_DIST_DIR || './dist',
  cacheDir: env.ATLAS_ASTRO_CACHE || './node_modules/.astro',
  trailingSlash: 'always',
  build: { format: 'directory', inlineStylesheets: 'auto' },
  compressHTML: true,
  devToolbar: { enabled: false },
  server: { host: '127.0.0.1' },
  vite: {
    build: { chunkSizeWarningLimit: 800 },
  },
});
