/**
 * One declaration per encoder: everything the CLI, the batch job and the edge would otherwise decide by
 * comparing an encoder's name — how `--encoder` names it, what a corpus line carries for it and whether it
 * has a document side here, whether it answers text queries and whether a query's terms are the document
 * analysis of its words, the tokenizer and assets a version ships for it, where its query side runs, and
 * the registry factory that builds it. Those modules read these fields; adding an encoder whose factory
 * runs anywhere is one declaration (here, or `declareEncoder` from the module that defines it).
 *
 * Data and lazy loaders only: the CLI reads this list before any verb runs, so nothing here may load an
 * encoder's code until it is built. The document sides that only the batch job can run (BM25's corpus
 * statistics, onnxruntime-node) are the batch job's own (batch/pipeline/open-document-encoder.ts); every
 * other encoder's documents are encoded by its registry encoder.
 */
import type { EncoderConfig, EncoderContext } from './config.ts';
import type { Encoder } from './encoder.ts';
import { EncoderError } from './errors.ts';

export type EncoderFactory = (config: EncoderConfig, context: EncoderContext) => Encoder | Promise<Encoder>;

export interface EncoderDeclaration {
  /** The registry name, recorded in manifests. */
  readonly name: string;
  /** How `csplade index|encode --encoder` names it; absent: not a document encoder of the CLI. */
  readonly cli?: {
    /** The option's help for it ("onnx:<model dir>", "precomputed (JsonVectorCollection lines)"). */
    readonly help: string;
    /** `name:<value>`: the config field the value fills, and whether it is a path (resolved from the cwd). */
    readonly parameter?: { readonly field: string; readonly placeholder: string; readonly path: boolean };
    /** The config field `--tokenizer` fills. */
    readonly tokenizerField?: string;
  };
  /** Its document side; absent: it encodes queries only (a weight table beside another document encoder). */
  readonly document?: {
    /** What a corpus line carries: text to encode, or a precomputed vector. */
    readonly input: 'text' | 'vector';
    /** Config values a document spec leaves out. */
    readonly defaults?: Readonly<Record<string, unknown>>;
    /** What encodes, for people (progress, summaries). */
    label?(config: Readonly<Record<string, unknown>>): string;
  };
  readonly query: {
    /** Whether it encodes text queries (false: its indexes take vector queries only). */
    readonly text: boolean;
    /**
     * Whether a query's vector is the document analysis of its text (no model), so a snippet finds a
     * word's terms by analyzing the word; otherwise by looking the word up in the vocabulary.
     */
    readonly analyzedLikeDocuments: boolean;
    /** The config field holding the fingerprint of a separate query model a version may ship. */
    readonly queryModelFingerprintField?: string;
  };
  /** How its tokenizer is named, for people. */
  readonly tokenizer: string;
  /** Assets a version may ship for it (by asset name). */
  readonly assets: readonly string[];
  /** Where its query side runs: Node, and the Worker entry that bundles it (null: no Worker). */
  readonly runtimes: { readonly node: boolean; readonly worker: string | null };
  /** Loads its registry factory; absent when each runtime registers its own (`registerEncoder`). */
  readonly factory?: () => Promise<EncoderFactory>;
}

const DECLARATIONS: EncoderDeclaration[] = [
  {
    name: 'bm25',
    cli: { help: 'bm25' },
    document: { input: 'text' },
    query: { text: true, analyzedLikeDocuments: true },
    tokenizer: 'config "tokenizer": bert-base-uncased, llama3, a tokenizer.json, or the English analyzer',
    assets: ['bm25-stats.msgpack', 'tokenizer.json', 'english-terms.txt'],
    runtimes: { node: true, worker: 'edge/worker.ts' },
    factory: async () => (await import('./bm25/factory.ts')).createBm25Encoder,
  },
  {
    name: 'precomputed',
    cli: { help: 'precomputed (JsonVectorCollection lines)', tokenizerField: 'vocabulary' },
    document: {
      input: 'vector',
      defaults: { vocabulary: 'bert-base-uncased', unknownTokens: 'error' },
      label: (config) => `precomputed vectors (${String(config.vocabulary)} vocabulary)`,
    },
    query: { text: false, analyzedLikeDocuments: false },
    tokenizer: 'config "vocabulary": a tokenizer name or a vocab.txt asset',
    assets: ['vocab.txt'],
    runtimes: { node: true, worker: 'edge/worker.ts' },
    factory: async () => (await import('./precomputed/factory.ts')).createPrecomputedEncoder,
  },
  {
    name: 'weight-table',
    query: { text: true, analyzedLikeDocuments: true },
    tokenizer: 'config "tokenizer"',
    assets: ['query-weights.cswt', 'tokenizer.json'],
    runtimes: { node: true, worker: 'edge/worker.ts' },
    factory: async () => (await import('./weight-table/factory.ts')).createWeightTableEncoder,
  },
  {
    name: 'onnx',
    cli: {
      help: 'onnx:<model dir>',
      parameter: { field: 'modelDir', placeholder: 'model dir', path: true },
    },
    document: { input: 'text' },
    query: { text: true, analyzedLikeDocuments: false, queryModelFingerprintField: 'queryFingerprint' },
    tokenizer: "the model directory's tokenizer (a built-in name or tokenizer.json)",
    assets: ['query model (.onnx)', 'tokenizer.json', 'tokenizer_config.json'],
    // Node: onnxruntime-node (batch/onnx, compose/); Workers: onnxruntime-web, in its own bundle.
    runtimes: { node: true, worker: 'edge/worker-onnx.ts' },
  },
];

/**
 * Loads every declared registry factory now. The Worker entry calls it while its script starts — which
 * Cloudflare overlaps with the TLS handshake — so that a cold isolate's first query does not evaluate the
 * encoder modules inside its own time. The CLI does not, to keep `--help` cheap.
 */
export function preloadEncoderFactories(): Promise<unknown> {
  return Promise.all(DECLARATIONS.map((d) => d.factory?.()));
}

/** Every declared encoder, in declaration order (the CLI's help lists them so). */
export function encoderDeclarations(): readonly EncoderDeclaration[] {
  return DECLARATIONS;
}

export function declarationOf(name: string): EncoderDeclaration | undefined {
  return DECLARATIONS.find((d) => d.name === name);
}

/** Adds an encoder's declaration; a name declared already is an error, so two cannot fight over it. */
export function declareEncoder(declaration: EncoderDeclaration): void {
  if (declarationOf(declaration.name)) {
    throw new EncoderError(
      'invalid_encoder_config',
      `an encoder named "${declaration.name}" is declared already`,
    );
  }
  DECLARATIONS.push(declaration);
}

/** The `--encoder` values the CLI accepts, for its help and errors: "bm25, precomputed or onnx:<model dir>". */
export function cliEncoderChoices(): string {
  const forms = DECLARATIONS.flatMap((d) =>
    d.cli ? [d.cli.parameter ? `${d.name}:<${d.cli.parameter.placeholder}>` : d.name] : [],
  );
  return forms.length < 2 ? forms.join('') : `${forms.slice(0, -1).join(', ')} or ${forms.at(-1)}`;
}
