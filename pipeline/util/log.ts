/** Where the pipeline reports to; tests pass a collecting one, builds use stderr. */
export interface Log {
  info(message: string): void;
  warn(message: string): void;
}

/** stdout stays free for machine-readable output; all chatter goes to stderr. */
export const stderrLog: Log = {
  info: (message) => process.stderr.write(`${message}\n`),
  warn: (message) => process.stderr.write(`warning: ${message}\n`),
};

export const silentLog: Log = { info: () => {}, warn: () => {} };

/** Collects messages, for tests and for summaries printed at the end of a step. */
export function memoryLog(): Log & { infos: string[]; warnings: string[] } {
  const infos: string[] = [];
  const warnings: string[] = [];
  return { infos, warnings, info: (m) => infos.push(m), warn: (m) => warnings.push(m) };
}
