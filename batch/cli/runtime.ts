/**
 * What several verbs do with their parsed options once they run: open the store (with a clear error for a
 * folder that is not there), build the document encoder the encode flags describe, resolve worker numbers
 * from array-job environments, pick a run id, choose how progress is shown. Verbs import this module
 * inside `run` (it pulls in the pipeline and the store clients, which `--help` must not load).
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { declarationOf } from '../../shared/encoders/declarations.ts';
import { CspladeError } from '../../shared/errors.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { parseStoreUrl } from '../../shared/store/open.node.ts';
import type { DocumentEncoder } from '../pipeline/document-encoder.ts';
import { openDocumentEncoder } from '../pipeline/open-document-encoder.ts';
import { openStoreUrl } from '../pipeline/open-store.node.ts';
import { ProgressReporter, type ProgressSink, silentProgress } from '../pipeline/progress.ts';
import type { EncodeValues, ProgressValues } from './options.ts';
import { type CliContext, UsageError } from './verb.ts';

/** A `--store` folder that does not exist where a verb needs one that does. */
export class StoreNotFoundError extends CspladeError {
  constructor(given: string, path: string) {
    super(
      'store_not_found',
      `store folder ${path} does not exist (--store ${given}); \`csplade index\` creates one, or give the folder an index was written to`,
    );
  }
}

/**
 * Opens `--store`. Verbs that only read (search, serve, gc, rollback, eval, publish of an encoded run)
 * pass `mustExist`: a folder that is not there is a typo, not an empty store.
 */
export function openStoreOption(
  given: string,
  ctx: CliContext,
  options: { mustExist?: boolean } = {},
): ObjectStore {
  const hasScheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(given) || given === 'memory:';
  if (options.mustExist) {
    const location = parseStoreUrl(hasScheme ? given : resolve(ctx.cwd, given));
    if (location.kind === 'folder' && !(existsSync(location.path) && statSync(location.path).isDirectory()))
      throw new StoreNotFoundError(given, location.path);
  }
  return openStoreUrl(given, ctx.env, ctx.cwd);
}

/** The pipeline's encoder adapter for `--encoder`, `--analyzer`, `--tokenizer`, `--k1`, `--b`, `--lucene-norms`. */
export async function documentEncoderFor(values: EncodeValues, ctx: CliContext): Promise<DocumentEncoder> {
  const { encoder } = values;
  // BM25 has flags of its own (analyzer, k1, b, Lucene norms), which no declaration describes.
  if (encoder === 'bm25') {
    return openDocumentEncoder({
      kind: 'bm25',
      ...(values.analyzer === 'english' ? { analyzer: 'english' } : { tokenizer: values.tokenizer }),
      k1: values.k1,
      b: values.b,
      luceneNorms: values.luceneNorms === true,
    });
  }
  // Any other encoder: what its declaration says `--encoder name:<value>` and `--tokenizer` fill (onnx: the
  // model directory; precomputed: the vocabulary the corpus's tokens use). The option's parser checked it.
  const [kind, ...rest] = encoder.split(':');
  const cli = declarationOf(kind)?.cli;
  const value = rest.join(':');
  return openDocumentEncoder({
    kind,
    ...(cli?.tokenizerField ? { [cli.tokenizerField]: values.tokenizer } : {}),
    ...(cli?.parameter
      ? { [cli.parameter.field]: cli.parameter.path ? resolve(ctx.cwd, value) : value }
      : {}),
  });
}

/** Worker index and count: flags first, then the array-job environment, else a single worker. */
export function workersFrom(
  values: { worker?: number; workers?: number },
  env: CliContext['env'],
): { worker: number; workers: number } {
  const fromEnv = (name: string) => (/^\d+$/.test(env[name] ?? '') ? Number(env[name]) : undefined);
  const worker =
    values.worker ?? fromEnv('AWS_BATCH_JOB_ARRAY_INDEX') ?? fromEnv('JOB_COMPLETION_INDEX') ?? 0;
  const workers = values.workers ?? fromEnv('AWS_BATCH_JOB_ARRAY_SIZE') ?? fromEnv('CSPLADE_WORKERS') ?? 1;
  if (worker >= workers) throw new UsageError(`--worker ${worker} must be below --workers ${workers}`);
  return { worker, workers };
}

/** A run id for single-machine runs: UTC time to the second and 4 random base-36 digits. */
export function freshRunId(): string {
  const time = new Date()
    .toISOString()
    .replace(/[-:.TZ]/g, '')
    .slice(0, 14);
  return `r${time}${Math.floor(Math.random() * 36 ** 4)
    .toString(36)
    .padStart(4, '0')}`;
}

/**
 * Progress on stderr unless `--no-progress`; CSPLADE_PROGRESS_INTERVAL (seconds) sets how often plain
 * lines are printed when stderr is not a terminal.
 */
export function progressFor(values: ProgressValues, ctx: CliContext): ProgressSink {
  if (values.progress === false) return silentProgress;
  const seconds = Number(ctx.env.CSPLADE_PROGRESS_INTERVAL);
  return new ProgressReporter(ctx.stderr, {
    intervalMs: Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined,
  });
}

/** A path the user gave, relative to the CLI's working directory (absolute paths stay as they are). */
export const pathFrom = (ctx: CliContext, path: string): string => resolve(ctx.cwd, path);
