/**
 * npm run site-report [-- --out DIR | --dist DIR] [--top N]
 * Measures a built site (dist/ by default, or DIR/dist of `npm run build -- --out DIR`): total size,
 * files, largest file and folder, HTML per page type, bytes by folder and file type. Exits 1 naming
 * each limit of SITE_LIMITS (pipeline/steps/site-weight.ts) the site exceeds.
 */
import path from 'node:path';
import { buildDirs } from '../steps/site.ts';
import { formatReport, limitViolations, measureSite } from '../steps/site-weight.ts';
import { REPO_ROOT } from '../util/paths.ts';
import { parseCliArgs, runCli } from './run-cli.ts';

const { values: args } = parseCliArgs({
  options: { out: { type: 'string' }, dist: { type: 'string' }, top: { type: 'string', default: '15' } },
});

runCli(async () => {
  const { distDir } = buildDirs(args);
  const report = await measureSite(distDir, path.join(REPO_ROOT, 'src', 'pages'));
  process.stdout.write(`${distDir}\n${formatReport(report, undefined, Number(args.top))}\n`);
  const violations = limitViolations(report);
  if (violations.length) throw new Error(`the site is over its limits:\n- ${violations.join('\n- ')}`);
  process.stdout.write('\nwithin every limit\n');
});
