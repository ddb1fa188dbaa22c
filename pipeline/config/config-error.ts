import type { ZodError, ZodIssue } from 'zod';

/** Names the config file and the field, since that is where the user has to go and fix it. */
export class ConfigError extends Error {
  readonly file: string | null;
  readonly field: string;
  constructor(file: string | null, field: string, problem: string) {
    super(`${file ?? 'config'}: ${field ? `${field}: ` : ''}${problem}`);
    this.name = 'ConfigError';
    this.file = file;
    this.field = field;
  }

  static fromZod(file: string, error: ZodError): ConfigError {
    const issues = error.issues.flatMap(explainingIssues);
    const [first, ...rest] = issues;
    const more = rest.map((i) => `\n  ${formatPath(i.path)}: ${i.message}`).join('');
    return new ConfigError(file, formatPath(first.path), `${first.message}${more}`);
  }
}

/** `models[1].preprocess.scale` */
export function formatPath(segments: (string | number)[]): string {
  return segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/**
 * For "one of these forms" fields zod reports every branch; the branch that got furthest into the
 * value is the one the user meant, so only its complaints are shown.
 */
function explainingIssues(issue: ZodIssue): ZodIssue[] {
  if (issue.code !== 'invalid_union') return [issue];
  const branches = issue.unionErrors.map((e) => e.issues.flatMap(explainingIssues));
  const depth = (issues: ZodIssue[]) => Math.max(...issues.map((i) => i.path.length + (i.code === 'invalid_type' ? 0 : 0.5)));
  const best = branches.reduce((a, b) => (depth(b) > depth(a) ? b : a));
  if (depth(best) > issue.path.length) return best;
  // A schema-provided message already says which forms are allowed; zod's default does not.
  const message = issue.message === 'Invalid input' ? `${issue.message}: ${describeUnion(branches)}` : issue.message;
  return [{ ...issue, message }];
}

function describeUnion(branches: ZodIssue[][]): string {
  return branches.map((issues) => issues[0]?.message).filter(Boolean).join(' / ');
}
