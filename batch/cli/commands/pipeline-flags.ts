/**
 * Flags shared by the pipeline verbs (index, encode, build, publish, gc, rollback, search): their parse
 * options, their help lines, and their conversion into typed values with usage errors that name the flag.
 * Worker defaults come from the array-job environment: AWS Batch's AWS_BATCH_JOB_ARRAY_INDEX /
 * AWS_BATCH_JOB_ARRAY_SIZE and Kubernetes Indexed Jobs' JOB_COMPLETION_INDEX (with CSPLADE_WORKERS for the
 * count, which Kubernetes does not export).
 */
import type { ParseArgsConfig } from 'node:util';
import type { ObjectStore } from '../../../shared/store/object-store.ts';
import { DOC_ORDERS, type DocOrder } from '../../pipeline/build-stage.ts';
import type { Bm25Parameters, DocumentEncoder } from '../../pipeline/document-encoder.ts';
import { openDocumentEncoder } from '../../pipeline/document-encoder.ts';
import { openStoreUrl } from '../../pipeline/open-store.node.ts';
import type { PruningOptions } from '../../pipeline/prune.ts';
import { assertIndexName } from '../../publish/versions.ts';
import type { CliContext } from '../command.ts';
import { UsageError } from '../command.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

export const storeFlags = {
  store: { type: 'string' },
  index: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const satisfies Options;

export const encodeFlags = {
  corpus: { type: 'string' },
  encoder: { type: 'string' },
  tokenizer: { type: 'string' },
  rejects: { type: 'string' },
  'batch-size': { type: 'string' },
  'segment-size': { type: 'string' },
} as const satisfies Options;

export const buildFlags = {
  shards: { type: 'string' },
  'impact-bits': { type: 'string' },
  'doc-top-k': { type: 'string' },
  'min-weight': { type: 'string' },
  'max-df-ratio': { type: 'string' },
  'doc-order': { type: 'string' },
} as const satisfies Options;

export const publishFlags = {
  keep: { type: 'string' },
  'keep-run': { type: 'boolean', default: false },
} as const satisfies Options;

export const STORE_HELP = `  --store         folder or s3://bucket/prefix holding indexes and the encoding cache (default ./store)
  --index         index name (a-z 0-9 . _ -)
  --json          print one JSON summary object on stdout`;

export const ENCODE_HELP = `  --corpus        JSONL[.gz] file or BEIR folder (corpus.jsonl[.gz]), local or s3://bucket/prefix/…
  --encoder       bm25 (default) | precomputed (JsonVectorCollection lines) | onnx:<model dir>
  --tokenizer     bm25 tokenizer / precomputed vocabulary: bert-base-uncased (default) | llama3
  --rejects       file for rejected corpus lines (default ./<index>.rejects.jsonl)
  --batch-size    documents per encoder call (default 256)
  --segment-size  documents per encoding-cache segment, the unit of resumption (default 1000)`;

export const BUILD_HELP = `  --shards        number of shards (default 1)
  --impact-bits   impact width, 1..16 (default 8)
  --doc-top-k     keep at most this many terms per document
  --min-weight    drop weights below this
  --max-df-ratio  drop terms present in more than this fraction of documents (0 < r ≤ 1)
  --doc-order     cluster (default: similar documents get neighbouring ids, so queries skip more) | arrival`;

export const PUBLISH_HELP = `  --keep          published versions to keep (default 3; CURRENT's is always kept)
  --keep-run      keep runs/<run>/ after publishing (default: removed)`;

export type Values = Record<string, string | boolean | undefined>;

export function stringFlag(values: Values, name: string, fallback?: string): string {
  const value = values[name];
  if (typeof value === 'string' && value !== '') return value;
  if (fallback !== undefined) return fallback;
  throw new UsageError(`--${name} is required`);
}

export function integerFlag(
  values: Values,
  name: string,
  fallback: number | undefined,
  min = 1,
): number | undefined {
  const value = values[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^\d+$/.test(value) || Number(value) < min) {
    throw new UsageError(`--${name} must be an integer ≥ ${min}, got "${value}"`);
  }
  return Number(value);
}

export function numberFlag(values: Values, name: string): number | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(n)) {
    throw new UsageError(`--${name} must be a number, got "${value}"`);
  }
  return n;
}

export function indexFlag(values: Values): string {
  const index = stringFlag(values, 'index');
  assertIndexName(index);
  return index;
}

export function openStoreFlag(values: Values, ctx: CliContext): ObjectStore {
  return openStoreUrl(stringFlag(values, 'store', './store'), ctx.env, ctx.cwd);
}

export function pruningFlags(values: Values): PruningOptions {
  return {
    docTopK: integerFlag(values, 'doc-top-k', undefined),
    minWeight: numberFlag(values, 'min-weight'),
    maxDfRatio: numberFlag(values, 'max-df-ratio'),
  };
}

export function buildOptionFlags(values: Values) {
  return {
    shards: integerFlag(values, 'shards', 1),
    impactBits: integerFlag(values, 'impact-bits', 8),
    pruning: pruningFlags(values),
    docOrder: docOrderFlag(values),
  };
}

function docOrderFlag(values: Values): DocOrder {
  const value = stringFlag(values, 'doc-order', 'cluster');
  if (!(DOC_ORDERS as readonly string[]).includes(value)) {
    throw new UsageError(`--doc-order must be ${DOC_ORDERS.join(' or ')}, got "${value}"`);
  }
  return value as DocOrder;
}

/** `--encoder bm25 | onnx:<dir>` (+ --tokenizer) → the pipeline's encoder adapter. */
export async function encoderFlag(values: Values, ctx: CliContext): Promise<DocumentEncoder> {
  const spec = stringFlag(values, 'encoder', 'bm25');
  if (spec === 'bm25') {
    const tokenizer = stringFlag(values, 'tokenizer', 'bert-base-uncased');
    if (tokenizer !== 'bert-base-uncased' && tokenizer !== 'llama3') {
      throw new UsageError(`--tokenizer must be bert-base-uncased or llama3, got "${tokenizer}"`);
    }
    return openDocumentEncoder({ kind: 'bm25', tokenizer } satisfies Bm25Parameters & { kind: string });
  }
  if (spec === 'precomputed') {
    // Corpus lines are JsonVectorCollection records; --tokenizer names the vocabulary their tokens use.
    return openDocumentEncoder({
      kind: 'precomputed',
      vocabulary: stringFlag(values, 'tokenizer', 'bert-base-uncased'),
    });
  }
  if (spec.startsWith('onnx:')) {
    const { resolve } = await import('node:path');
    return openDocumentEncoder({ kind: 'onnx', modelDir: resolve(ctx.cwd, spec.slice('onnx:'.length)) });
  }
  throw new UsageError(`--encoder must be bm25, precomputed or onnx:<model dir>, got "${spec}"`);
}

/** Worker index and count: flags first, then the array-job environment, else a single worker. */
export function workerFlags(values: Values, env: CliContext['env']): { worker: number; workers: number } {
  const fromEnv = (name: string) =>
    env[name] !== undefined && /^\d+$/.test(env[name] ?? '') ? Number(env[name]) : undefined;
  const worker =
    integerFlag(values, 'worker', undefined, 0) ??
    fromEnv('AWS_BATCH_JOB_ARRAY_INDEX') ??
    fromEnv('JOB_COMPLETION_INDEX') ??
    0;
  const workers =
    integerFlag(values, 'workers', undefined, 1) ??
    fromEnv('AWS_BATCH_JOB_ARRAY_SIZE') ??
    fromEnv('CSPLADE_WORKERS') ??
    1;
  if (worker >= workers) throw new UsageError(`--worker ${worker} must be below --workers ${workers}`);
  return { worker, workers };
}

/** A run id: --run, else CSPLADE_RUN, else a fresh one (time + random) for single-machine runs. */
export function runFlag(values: Values, env: CliContext['env'], required: boolean): string {
  const run = (values.run as string | undefined) ?? env.CSPLADE_RUN;
  if (run) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/.test(run))
      throw new UsageError(`--run must be 1–80 of A-Z a-z 0-9 . _ -, got "${run}"`);
    return run;
  }
  if (required) throw new UsageError('--run is required (the id shared by every worker of the run)');
  return `r${new Date()
    .toISOString()
    .replace(/[-:.TZ]/g, '')
    .slice(0, 14)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
}

export function printJson(ctx: CliContext, value: unknown): void {
  ctx.stdout.write(`${JSON.stringify(value)}\n`);
}
