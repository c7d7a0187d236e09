/**
 * What one CLI verb declares: its name, one-line summary, longer description, positional arguments,
 * options (flags, help text, default, parser, environment fallback) and examples — data the program
 * builder (program.ts) turns into commander commands with generated help — plus `run`, which receives
 * typed values and calls into the batch/edge modules that do the work.
 *
 * Keep a verb file cheap to import: `csplade --help` loads every declaration, so a verb imports the
 * modules it needs inside `run` (`await import(…)`), never at the top (test/batch/cli/startup.test.ts
 * checks the import graph of the help path).
 *
 * @example
 *   export const gcVerb = defineVerb<StoreValues & { keep: number }>({
 *     name: 'gc',
 *     summary: 'delete old versions of an index',
 *     options: [...storeOptions, { flags: '--keep <n>', description: 'versions to keep', default: 3, parse: integer(1) }],
 *     async run({ options }, ctx) { … },
 *   });
 */
/** Where a verb writes: process.stdout/stderr, or any stream a caller (a test, `npm start`) hands in. */
export interface OutputStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface CliContext {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

export interface OptionSpec {
  /** commander flag syntax: "--shards <n>", "--json", "-k, --k <n>", "--no-progress". */
  readonly flags: string;
  readonly description: string;
  /** Value when the flag is absent (shown in help unless `defaultHelp` says otherwise). */
  readonly default?: unknown;
  /** How the default reads in help when the value itself would not say it (e.g. "$CSPLADE_RUN or a fresh id"). */
  readonly defaultHelp?: string;
  /** Turns the flag's text into a typed value; throw `InvalidArgumentError` (options.ts) for bad input. */
  readonly parse?: (raw: string) => unknown;
  readonly choices?: readonly string[];
  /** Environment variable read (from the CLI context) when the flag is absent. */
  readonly env?: string;
  readonly required?: boolean;
}

export interface ArgumentSpec {
  /** "<model>" (required) or "[dir]" (optional). */
  readonly name: string;
  readonly description: string;
}

export interface VerbInput<O> {
  /** Option values by camel-cased flag name ("--impact-bits" → impactBits), parsed and defaulted. */
  readonly options: O;
  /** Positional arguments, in declaration order. */
  readonly args: readonly string[];
}

export interface Verb<O = Record<string, unknown>> {
  /** "index", or space-separated words for a nested verb ("model prepare"). */
  readonly name: string;
  readonly summary: string;
  /** Paragraphs printed under the usage line of the verb's help. */
  readonly description?: string;
  readonly arguments?: readonly ArgumentSpec[];
  readonly options?: readonly OptionSpec[];
  /** Command lines shown at the end of the verb's help. */
  readonly examples?: readonly string[];
  /** Does the work; returns the exit code (0 when nothing is returned). */
  run(input: VerbInput<O>, ctx: CliContext): Promise<number | undefined>;
}

/** Identity with types: lets a verb file declare the shape of its option values once. */
export function defineVerb<O>(verb: Verb<O>): Verb {
  return verb as unknown as Verb;
}

/** A mistake in how a verb was called: printed with a pointer to the verb's help, exit code 2. */
export class UsageError extends Error {}
