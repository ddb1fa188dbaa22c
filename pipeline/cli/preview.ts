/**
 * npm run preview [-- --out DIR] [--port 4321] [--host 127.0.0.1]
 * Serves a built site with `astro preview`: dist/ by default, or DIR/dist of `npm run build -- --out DIR`.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { buildDirs, siteEnv } from '../steps/site.ts';
import { REPO_ROOT } from '../util/paths.ts';
import { parseCliArgs } from './run-cli.ts';

const { values: args } = parseCliArgs({
  options: { out: { type: 'string' }, dist: { type: 'string' }, port: { type: 'string', default: '4321' }, host: { type: 'string', default: '127.0.0.1' } },
});
const env = siteEnv(buildDirs(args));
const child = spawn(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'astro', 'astro.js'), 'preview', '--port', args.port!, '--host', args.host!], {
  cwd: REPO_ROOT,
  env,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
