/**
 * The shape of one CLI verb. Each verb lives in its own file under `batch/cli/commands/` and is listed
 * once in `batch/cli/commands/index.ts`; `main.ts` only dispatches. A verb parses its own flags with
 * `node:util` parseArgs so that `--help` text and validation stay next to the code that uses them.
 */
export interface CliContext {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export interface Command {
  /** e.g. "index" or "model prepare" (space-separated words for nested verbs). */
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  /** Returns the process exit code. */
  run(argv: string[], ctx: CliContext): Promise<number>;
}

/** A usage error: printed with the verb's usage, exit code 2. */
export class UsageError extends Error {}
