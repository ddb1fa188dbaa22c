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
