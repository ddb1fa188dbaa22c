// @ts-check
import { defineConfig } from 'astro/config';
import remarkTextOnly from './src/lib/remark-text-only.mjs';

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
  // Nothing inline: the site's Content-Security-Policy allows only same-origin scripts and styles.
  build: { format: 'directory', inlineStylesheets: 'never' },
  compressHTML: true,
  markdown: { remarkPlugins: [remarkTextOnly] },
  devToolbar: { enabled: false },
  // `npm run preview` sends the policy (pipeline/steps/site-csp.ts) the way a host reading _headers would.
  server: { host: '127.0.0.1', headers: env.ATLAS_CSP ? { 'Content-Security-Policy': env.ATLAS_CSP } : {} },
  vite: {
    build: { chunkSizeWarningLimit: 800, assetsInlineLimit: 0 },
  },
});
