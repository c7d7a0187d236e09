/**
 * The rejects file: one JSON line per bad corpus line — `{"line", "reason", "detail", "id"?, "raw"}` with
 * the raw line decoded leniently (invalid UTF-8 shows as U+FFFD here, on purpose: the file must stay
 * valid JSONL) and truncated to `maxRawChars`. Written through one stream opened at the first reject (no
 * file for a clean corpus); `close()` flushes it.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RejectedLine } from './read-corpus.ts';

const lenient = new TextDecoder('utf-8', { fatal: false });

export class RejectsFile {
  readonly path: string;
  readonly #maxRawChars: number;
  /** Opened on the first reject: a clean corpus leaves no empty file behind. */
  #stream: WriteStream | null = null;
  count = 0;
  readonly byReason: Record<string, number> = {};

  private constructor(path: string, maxRawChars: number) {
    this.path = path;
    this.#maxRawChars = maxRawChars;
  }

  /** A rejects file at `path` (created, or truncated, when the first bad line arrives). */
  static async create(path: string, maxRawChars = 1000): Promise<RejectsFile> {
    return new RejectsFile(path, maxRawChars);
  }

  async add(rejected: RejectedLine): Promise<void> {
    this.count++;
    this.byReason[rejected.reason] = (this.byReason[rejected.reason] ?? 0) + 1;
    let raw = lenient.decode(rejected.raw.subarray(0, this.#maxRawChars * 4));
    const truncated = raw.length > this.#maxRawChars || rejected.raw.length > this.#maxRawChars * 4;
    if (raw.length > this.#maxRawChars) raw = raw.slice(0, this.#maxRawChars);
    const record = {
      line: rejected.lineNumber,
      reason: rejected.reason,
      detail: rejected.detail,
      ...(rejected.id !== undefined ? { id: rejected.id } : {}),
      raw,
      ...(truncated ? { truncated: true } : {}),
    };
    if (!this.#stream) {
      await mkdir(dirname(this.path), { recursive: true });
      this.#stream = createWriteStream(this.path, { flags: 'w' });
    }
    const stream = this.#stream;
    if (!stream.write(`${JSON.stringify(record)}\n`)) {
      await new Promise<void>((resolve) => stream.once('drain', resolve));
    }
  }

  /** Flushes and closes the file; closing twice (or without any reject) is harmless. */
  close(): Promise<void> {
    const stream = this.#stream;
    if (!stream || stream.closed || stream.writableEnded) return Promise.resolve();
    return new Promise((resolve, reject) =>
      stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
  }
}
