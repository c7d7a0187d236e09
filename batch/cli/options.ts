/**
 * Option parsers and the option groups several verbs share (store, encode, build, publish, run, workers),
 * declared once: each flag's help text, default and parser live here, so every verb that takes `--shards`
 * says and checks the same thing. Parsers throw commander's InvalidArgumentError, which commander turns
 * into "error: option '--shards <n>' argument 'x' is invalid. must be an integer ≥ 1" (exit code 2).
 * Nothing here imports the pipeline: this module is on the `--help` path.
 */
import { InvalidArgumentError } from 'commander';
import { type FilterableSchema, parseFilterableSpec } from '../../shared/docvalues/schema.ts';
import { cliEncoderChoices, declarationOf, encoderDeclarations } from '../../shared/encoders/declarations.ts';
import { isValidIndexName } from '../../shared/index/layout.ts';
import type { BuildSettings } from '../pipeline/build-settings.ts';
import type { OptionSpec } from './verb.ts';

/** Parser of a whole number ≥ `min`. */
export function integer(min = 1): (raw: string) => number {
  return (raw) => {
    if (!/^\d+$/.test(raw.trim()) || Number(raw) < min)
      throw new InvalidArgumentError(`must be an integer ≥ ${min}`);
    return Number(raw);
  };
}

/** Parser of a finite number, optionally checked (`expectation` completes "must be …"). */
export function number(check?: (n: number) => boolean, expectation = 'a number'): (raw: string) => number {
  return (raw) => {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n) || (check && !check(n)))
      throw new InvalidArgumentError(`must be ${expectation}`);
    return n;
  };
}

/** Parser of a comma-separated list whose items must be among `allowed`. */
export function list(allowed: readonly string[]): (raw: string) => string[] {
  return (raw) => {
    const items = raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const unknown = items.find((item) => !allowed.includes(item));
    if (unknown !== undefined || items.length === 0)
      throw new InvalidArgumentError(`must be a comma-separated list of ${allowed.join(', ')}`);
    return items;
  };
}

/** Parser of `--filterable lang:keyword,year:number`. */
function filterableSpec(raw: string): FilterableSchema {
  try {
    return parseFilterableSpec(raw);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;

function pattern(re: RegExp, what: string): (raw: string) => string {
  return (raw) => {
    if (!re.test(raw)) throw new InvalidArgumentError(`must be ${what}`);
    return raw;
  };
}

/** Parser of `--encoder`: a declared encoder's name, with `:<value>` when its declaration takes one. */
function encoderChoice(raw: string): string {
  const [name, ...rest] = raw.split(':');
  const cli = declarationOf(name)?.cli;
  if (cli && (cli.parameter ? rest.join(':') !== '' : rest.length === 0)) return raw;
  throw new InvalidArgumentError(`must be ${cliEncoderChoices()}`);
}

export const jsonOption: OptionSpec = {
  flags: '--json',
  description: 'print one JSON object on stdout (snake_case keys, as the HTTP API)',
};

export const storeOption: OptionSpec = {
  flags: '--store <dir|url>',
  description: 'folder, file://…, s3://bucket/prefix or memory: holding indexes/ and the encoding cache',
  default: './store',
  env: 'CSPLADE_STORE',
};

export const indexOption: OptionSpec = {
  flags: '--index <name>',
  description: 'index name (a-z 0-9 . _ -)',
  parse: (raw) => {
    if (!isValidIndexName(raw))
      throw new InvalidArgumentError('must be 1–63 of a-z 0-9 . _ - starting with a letter or digit');
    return raw;
  },
  required: true,
};

export interface StoreValues {
  readonly store: string;
  readonly index: string;
  readonly json?: boolean;
}

/** --store, --index, --json: every verb that works on one index of a store. */
export const storeOptions: readonly OptionSpec[] = [storeOption, indexOption, jsonOption];

export const progressOption: OptionSpec = {
  flags: '--no-progress',
  description:
    'no progress on stderr (default: a live line on a terminal, a plain line every 10 s otherwise)',
};

/** For build and publish: the run must have been encoded by exactly this many workers. */
export const expectedWorkersOption: OptionSpec = {
  flags: '--workers <n>',
  description: 'refuse unless the run was encoded by exactly this many workers',
  parse: integer(1),
};

export interface ProgressValues {
  readonly progress: boolean;
}

export const ANALYZERS = ['flat-wp', 'english'] as const;

export const encodeOptions: readonly OptionSpec[] = [
  {
    flags: '--corpus <path|url>',
    description: 'JSONL[.gz] file or BEIR folder (corpus.jsonl[.gz]), local or s3://bucket/prefix/…',
    required: true,
  },
  {
    flags: '--encoder <kind>',
    description: encoderDeclarations()
      .flatMap((d) => (d.cli ? [d.cli.help] : []))
      .join(' | '),
    default: 'bm25',
    parse: encoderChoice,
  },
  {
    flags: '--analyzer <name>',
    description:
      'bm25 text analysis: flat-wp (WordPiece tokens of --tokenizer) or english (Lucene English: lower case, stop words, Porter stems)',
    default: 'flat-wp',
    choices: ANALYZERS,
  },
  {
    flags: '--tokenizer <name>',
    description: 'WordPiece/BPE vocabulary of bm25 flat-wp and of precomputed vectors',
    default: 'bert-base-uncased',
    choices: ['bert-base-uncased', 'llama3'],
  },
  {
    flags: '--k1 <k1>',
    description: 'bm25 term-frequency saturation',
    default: 0.9,
    parse: number((n) => n >= 0, 'a number ≥ 0'),
  },
  {
    flags: '--b <b>',
    description: 'bm25 document-length normalisation',
    default: 0.4,
    parse: number((n) => n >= 0 && n <= 1, 'a number in [0, 1]'),
  },
  {
    flags: '--lucene-norms',
    description: "bm25 scores with Lucene's one-byte document lengths (reproduces Anserini runs)",
  },
  {
    flags: '--rejects <file>',
    description: 'file for rejected corpus lines',
    defaultHelp: '<index>.rejects.jsonl',
  },
  {
    flags: '--store-text',
    description: "store each document's text (compressed), for `text` in results and snippets",
  },
  { flags: '--batch-size <n>', description: 'documents per encoder call', default: 256, parse: integer(1) },
  {
    flags: '--segment-size <n>',
    description: 'documents per encoding-cache segment, the unit of resumption',
    default: 1000,
    parse: integer(1),
  },
];

export interface EncodeValues {
  readonly corpus: string;
  readonly encoder: string;
  readonly analyzer: (typeof ANALYZERS)[number];
  readonly tokenizer: 'bert-base-uncased' | 'llama3';
  readonly k1: number;
  readonly b: number;
  readonly luceneNorms?: boolean;
  readonly rejects?: string;
  readonly batchSize: number;
  readonly segmentSize: number;
  readonly storeText?: boolean;
}

export const buildOptions: readonly OptionSpec[] = [
  { flags: '--shards <n>', description: 'number of shards', default: 1, parse: integer(1) },
  {
    flags: '--impact-bits <bits>',
    description: 'impact width',
    default: 8,
    parse: number((n) => Number.isInteger(n) && n >= 1 && n <= 16, 'an integer in 1..16'),
  },
  { flags: '--doc-top-k <n>', description: 'keep at most this many terms per document', parse: integer(1) },
  { flags: '--min-weight <w>', description: 'drop weights below this', parse: number() },
  {
    flags: '--max-df-ratio <r>',
    description: 'drop terms present in more than this fraction of documents',
    parse: number((n) => n > 0 && n <= 1, 'a number in (0, 1]'),
  },
  {
    flags: '--doc-order <order>',
    description:
      'cluster: similar documents get neighbouring ids, so queries skip more; arrival: corpus order',
    default: 'cluster',
    choices: ['cluster', 'arrival'],
  },
  {
    flags: '--no-approximate',
    description: 'skip the approximate-search files (clusters, routing summaries, block lists)',
  },
  {
    flags: '--filterable <fields>',
    description:
      'metadata fields requests may filter on, as field:type pairs (types: keyword, number, boolean, date)',
    parse: filterableSpec,
    defaultHelp: 'none',
  },
  {
    flags: '--default-mode <mode>',
    description: 'search mode of requests that name none; auto: approximate from 100,000 documents on',
    default: 'auto',
    choices: ['auto', 'exact', 'approximate'],
  },
];

export interface BuildValues {
  readonly shards: number;
  readonly impactBits: number;
  readonly docTopK?: number;
  readonly minWeight?: number;
  readonly maxDfRatio?: number;
  readonly docOrder: 'cluster' | 'arrival';
  readonly approximate: boolean;
  readonly defaultMode: 'auto' | 'exact' | 'approximate';
  readonly filterable?: FilterableSchema;
}

/** The build settings of the flags above, as every building verb hands them to the pipeline. */
export function buildSettingsOf(options: BuildValues): BuildSettings {
  return {
    shards: options.shards,
    impactBits: options.impactBits,
    pruning: { docTopK: options.docTopK, minWeight: options.minWeight, maxDfRatio: options.maxDfRatio },
    docOrder: options.docOrder,
    approximate: options.approximate !== false,
    defaultMode: options.defaultMode,
    ...(options.filterable ? { filterable: options.filterable } : {}),
  };
}

export const publishOptions: readonly OptionSpec[] = [
  {
    flags: '--keep <n>',
    description: "published versions to keep (CURRENT's is always kept)",
    default: 3,
    parse: integer(1),
  },
  { flags: '--keep-run', description: 'keep runs/<run>/ after publishing (default: removed)' },
];

export interface PublishValues {
  readonly keep: number;
  readonly keepRun?: boolean;
}

export const runOption = (required: boolean): OptionSpec => ({
  flags: '--run <id>',
  description: required
    ? 'run id shared by every worker of the run'
    : 'run id; give the id of a killed run to resume it',
  parse: pattern(RUN_ID, '1–80 of A-Z a-z 0-9 . _ -'),
  env: 'CSPLADE_RUN',
  required,
  ...(required ? {} : { defaultHelp: 'a fresh one' }),
});

export const workerOptions: readonly OptionSpec[] = [
  {
    flags: '--worker <i>',
    description: "this worker's index",
    parse: integer(0),
    defaultHelp: '$AWS_BATCH_JOB_ARRAY_INDEX, $JOB_COMPLETION_INDEX or 0',
  },
  {
    flags: '--workers <n>',
    description: 'number of workers',
    parse: integer(1),
    defaultHelp: '$AWS_BATCH_JOB_ARRAY_SIZE, $CSPLADE_WORKERS or 1',
  },
];
