/**
 * Progress of the long stages (encode, build, upload, verify, publish) on stderr, in the two places the
 * batch job runs:
 *   - a terminal: one line redrawn in place at most every 200 ms (a bar, docs/s, tokens/s, ETA);
 *   - anything else (CI logs, cron mail, a container's log stream): a plain line when a stage starts and
 *     ends, and at most one every `intervalMs` (default 10 s) in between — no carriage returns, no escape
 *     codes, one event per line, so logs stay readable and `--json` on stdout stays parseable.
 * The pipeline reports through `ProgressSink` (events, no formatting); this class decides what to print.
 */
import type { EncodeCounts } from './run-part.ts';

export interface ProgressTarget {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** What the pipeline calls; every method optional to call, cheap when nothing is printed. */
export interface ProgressSink {
  /** Encoding: running counters and how much of the corpus (compressed bytes) has been read. */
  encode(counts: EncodeCounts, bytesRead: number, totalBytes: number, force?: boolean): void;
  /** A build/publish stage: `done` of `total` units ("documents", "shards"). */
  stage(name: string, done: number, total: number, unit: string): void;
  /** Ends the current line (terminal) before other output follows. */
  done(): void;
}

export interface ProgressOptions {
  /** Seconds between plain lines when the target is not a terminal (default 10). */
  readonly intervalMs?: number;
  readonly now?: () => number;
}

const REDRAW_MS = 200;

export class ProgressReporter implements ProgressSink {
  readonly #out: ProgressTarget;
  readonly #tty: boolean;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #started: number;
  #stageStarted: number;
  #lastPrint = Number.NEGATIVE_INFINITY;
  #stage = '';
  #drawn = false;
  #lastLine = '';

  constructor(out: ProgressTarget, options: ProgressOptions = {}) {
    this.#out = out;
    this.#tty = out.isTTY === true;
    this.#intervalMs = options.intervalMs ?? 10_000;
    this.#now = options.now ?? (() => performance.now());
    this.#started = this.#now();
    this.#stageStarted = this.#started;
  }

  encode(counts: EncodeCounts, bytesRead: number, totalBytes: number, force = false): void {
    const seconds = (this.#now() - this.#started) / 1000;
    this.#emit(
      'encode',
      force,
      () => formatProgress(counts, bytesRead, totalBytes, seconds),
      () => `encode: ${formatPlainProgress(counts, bytesRead, totalBytes, seconds)}`,
    );
  }

  stage(name: string, done: number, total: number, unit: string): void {
    const boundary = done === 0 || done >= total;
    const line = () => {
      const percent = total > 0 ? Math.floor((100 * done) / total) : 100;
      const elapsed = (this.#now() - this.#stageStarted) / 1000;
      return `${name}: ${String(percent).padStart(3)}%  ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${unit}  ${elapsed.toFixed(1)} s`;
    };
    this.#emit(name, boundary, line, line);
  }

  done(): void {
    if (this.#drawn) this.#out.write('\n');
    this.#drawn = false;
  }

  #emit(stage: string, force: boolean, ttyLine: () => string, plainLine: () => string): void {
    const now = this.#now();
    const changed = stage !== this.#stage;
    if (changed) {
      if (this.#tty) this.done();
      this.#stage = stage;
      this.#stageStarted = now;
    }
    if (this.#tty) {
      if (!force && !changed && now - this.#lastPrint < REDRAW_MS) return;
      this.#lastPrint = now;
      this.#out.write(`\r${ttyLine()}\x1b[K`);
      this.#drawn = true;
      return;
    }
    if (!force && !changed && now - this.#lastPrint < this.#intervalMs) return;
    const line = plainLine();
    if (line === this.#lastLine) return;
    this.#lastPrint = now;
    this.#lastLine = line;
    this.#out.write(`${line}\n`);
  }
}

/** A sink that prints nothing (`--no-progress`, library callers). */
export const silentProgress: ProgressSink = { encode() {}, stage() {}, done() {} };

/** One terminal line, e.g. "[#######-------] 48%  12,000 docs  (…)  2,310 docs/s  410k tok/s  ETA 0:07". */
export function formatProgress(
  counts: EncodeCounts,
  bytesRead: number,
  totalBytes: number,
  seconds: number,
): string {
  const fraction = totalBytes > 0 ? Math.min(1, bytesRead / totalBytes) : 0;
  const width = 20;
  const filled = Math.round(fraction * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]  ${formatPlainProgress(counts, bytesRead, totalBytes, seconds)}`;
}

/** The same without the bar: "48%  12,000 docs  (11,000 encoded, 1,000 cached, 0 rejected)  …". */
export function formatPlainProgress(
  counts: EncodeCounts,
  bytesRead: number,
  totalBytes: number,
  seconds: number,
): string {
  const fraction = totalBytes > 0 ? Math.min(1, bytesRead / totalBytes) : 0;
  // Rates over less than half a second are noise; show them once they mean something.
  const docsPerSecond = seconds >= 0.5 ? counts.documents / seconds : 0;
  const tokensPerSecond = seconds >= 0.5 ? counts.tokens / seconds : 0;
  const eta = fraction > 0 && fraction < 1 ? (seconds * (1 - fraction)) / fraction : 0;
  return [
    `${String(Math.floor(fraction * 100)).padStart(3)}%`,
    `${counts.documents.toLocaleString('en-US')} docs`,
    `(${counts.encoded.toLocaleString('en-US')} encoded, ${counts.reused.toLocaleString('en-US')} cached, ${counts.rejected} rejected)`,
    `${Math.round(docsPerSecond).toLocaleString('en-US')} docs/s`,
    `${compact(tokensPerSecond)} tok/s`,
    `ETA ${clock(eta)}`,
  ].join('  ');
}

function compact(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)}k`;
  return String(Math.round(n));
}

function clock(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}
