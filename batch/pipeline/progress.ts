/**
 * The progress line an operator watches on a terminal: documents done, docs/s, tokens/s and an ETA from
 * the fraction of the (compressed) corpus bytes consumed. Redrawn in place on stderr at most every
 * 200 ms; silent when stderr is not a terminal (logs and CI stay clean, `--json` stays parseable).
 */
import type { EncodeCounts } from './run-part.ts';

export interface ProgressTarget {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export class ProgressBar {
  readonly #out: ProgressTarget;
  readonly #started = performance.now();
  #lastDraw = 0;
  #drawn = false;

  constructor(out: ProgressTarget) {
    this.#out = out;
  }

  get enabled(): boolean {
    return this.#out.isTTY === true;
  }

  update(counts: EncodeCounts, bytesRead: number, totalBytes: number, force = false): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (!force && now - this.#lastDraw < 200) return;
    this.#lastDraw = now;
    this.#out.write(`\r${formatProgress(counts, bytesRead, totalBytes, (now - this.#started) / 1000)}\x1b[K`);
    this.#drawn = true;
  }

  done(): void {
    if (this.#drawn) this.#out.write('\n');
    this.#drawn = false;
  }
}

/** One progress line, e.g. "[#######-------] 48%  12,000 docs  2,310 docs/s  410k tok/s  ETA 0:07". */
export function formatProgress(
  counts: EncodeCounts,
  bytesRead: number,
  totalBytes: number,
  seconds: number,
): string {
  const fraction = totalBytes > 0 ? Math.min(1, bytesRead / totalBytes) : 0;
  const width = 20;
  const filled = Math.round(fraction * width);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
  // Rates over less than half a second are noise; show them once they mean something.
  const docsPerSecond = seconds >= 0.5 ? counts.documents / seconds : 0;
  const tokensPerSecond = seconds >= 0.5 ? counts.tokens / seconds : 0;
  const eta = fraction > 0 && fraction < 1 ? (seconds * (1 - fraction)) / fraction : 0;
  return [
    bar,
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
