import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * Runs a command-line entry point so that a failure reads as one actionable line, not a stack trace
 * (and not the wasm module's dump of its own source, which its uncaught-exception hook prints).
 * ATLAS_DEBUG=1 shows the stack.
 */
export function runCli(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    const e = error instanceof Error ? error : new Error(String(error));
    process.stderr.write(`\nerror: ${e.message}\n`);
    if (process.env.ATLAS_DEBUG === '1') process.stderr.write(`${e.stack}\n`);
    process.exit(1);
  });
}

/**
 * parseArgs that answers a mistyped flag with one line naming the known ones (exit 2), instead of
 * Node's stack trace.
 */
export function parseCliArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (!code.startsWith('ERR_PARSE_ARGS')) throw error;
    const known = Object.keys(config.options ?? {})
      .map((o) => `--${o}`)
      .join(', ');
    const message = (error as Error).message.split('\n')[0].replace(/\. To specify a positional argument.*$/, '');
    process.stderr.write(`error: ${message}; known options: ${known}\n`);
    process.exit(2);
  }
}
