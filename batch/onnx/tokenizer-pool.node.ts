/**
 * A pool of tokenizer worker threads. `tokenize(texts, role)` splits the texts across the workers
 * and resolves with one packed set of sequences, so the main thread stays free to feed
 * `session.run` while the next batch is tokenized (the encoder pipelines the two). Workers are
 * TypeScript modules started through tsx's loader, the same way the CLI itself runs.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EncodeRole } from '../../shared/encoders/encoder.ts';
import type { ModelConfig } from '../../shared/encoders/onnx/config.ts';
import { OnnxModelError, type OnnxModelErrorCode } from '../../shared/encoders/onnx/errors.ts';
import {
  type PackedSequences,
  packSequences,
  unpackSequences,
} from '../../shared/encoders/onnx/text-sequences.ts';
import type { WorkerRequest } from './tokenize-worker.node.ts';
import type { TokenizerSource } from './tokenizer-source.node.ts';

type Pending = { resolve: (p: PackedSequences) => void; reject: (e: Error) => void };

/** Starts a .ts worker module: tsx's ESM API registers the loader inside the new thread first. */
function startTsWorker(moduleUrl: URL): Worker {
  const require = createRequire(import.meta.url);
  const tsxApi = pathToFileURL(
    join(dirname(require.resolve('tsx/package.json')), 'dist/esm/api/index.mjs'),
  ).href;
  const boot = `import(${JSON.stringify(tsxApi)}).then((tsx) => tsx.tsImport(${JSON.stringify(moduleUrl.href)}, ${JSON.stringify(moduleUrl.href)}))`;
  return new Worker(boot, { eval: true });
}

export class TokenizerPool {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private broken: OnnxModelError | undefined;
  private closing = false;

  constructor(source: TokenizerSource, config: ModelConfig, threads: number) {
    const moduleUrl = new URL('./tokenize-worker.node.ts', import.meta.url);
    this.workers = Array.from({ length: Math.max(1, threads) }, () => {
      const worker = startTsWorker(moduleUrl);
      worker.on(
        'message',
        (message: { id: number; packed?: PackedSequences; error?: { message: string; code?: string } }) => {
          const waiter = this.pending.get(message.id);
          if (!waiter) return;
          this.pending.delete(message.id);
          if (message.packed) waiter.resolve(message.packed);
          else {
            const code = (message.error?.code ?? 'tokenizer_worker_failed') as OnnxModelErrorCode;
            waiter.reject(new OnnxModelError(code, message.error?.message ?? 'tokenize worker failed'));
          }
        },
      );
      // A dead worker fails what is pending and every later call, instead of leaving them hanging.
      const fail = (cause: unknown) => {
        this.broken ??= new OnnxModelError(
          'tokenizer_worker_failed',
          `a tokenizer worker stopped: ${(cause as Error)?.message ?? cause}`,
          { cause },
        );
        for (const waiter of this.pending.values()) waiter.reject(this.broken);
        this.pending.clear();
      };
      worker.on('error', fail);
      worker.on('exit', (code) => {
        if (!this.closing) fail(new Error(`exit code ${code}`));
      });
      worker.postMessage({ type: 'init', source, config } satisfies WorkerRequest);
      return worker;
    });
  }

  get threads(): number {
    return this.workers.length;
  }

  /** Tokenizes `texts`; sequence owners are indexes into `texts` plus `ownerBase`. */
  async tokenize(texts: readonly string[], role: EncodeRole, ownerBase = 0): Promise<PackedSequences> {
    if (this.broken) throw this.broken;
    const share = Math.ceil(texts.length / this.workers.length);
    const parts = await Promise.all(
      this.workers.map((worker, w) => {
        const start = w * share;
        if (start >= texts.length && w > 0) return undefined;
        const id = this.nextId++;
        const slice = texts.slice(start, start + share);
        return new Promise<PackedSequences>((resolve, reject) => {
          this.pending.set(id, { resolve, reject });
          worker.postMessage({
            type: 'tokenize',
            id,
            texts: slice,
            role,
            ownerBase: ownerBase + start,
          } satisfies WorkerRequest);
        });
      }),
    );
    const present = parts.filter((p): p is PackedSequences => p !== undefined);
    if (present.length === 1) return present[0];
    return packSequences(
      present.flatMap(unpackSequences),
      present.reduce((n, p) => n + p.textTokens, 0),
    );
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
