/**
 * Runs a csplade verb in-process through `main` (the same program the binary runs) with captured
 * stdout/stderr, the environment and working directory a test chooses, and optionally a terminal-like
 * stderr (progress is drawn differently there).
 */
import { main } from '../../../compose/cli/main.ts';

export interface CapturedRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function capture(isTTY = false) {
  let text = '';
  return {
    stream: {
      isTTY,
      columns: 120,
      write(chunk: string) {
        text += chunk;
        return true;
      },
    },
    text: () => text,
  };
}

export async function csplade(
  argv: readonly string[],
  options: { cwd: string; env?: Record<string, string | undefined>; ttyStderr?: boolean },
): Promise<CapturedRun> {
  const out = capture();
  const err = capture(options.ttyStderr === true);
  const code = await main(argv, {
    stdout: out.stream,
    stderr: err.stream,
    env: options.env ?? {},
    cwd: options.cwd,
  });
  return { code, stdout: out.text(), stderr: err.text() };
}
