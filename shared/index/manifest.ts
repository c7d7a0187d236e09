/**
 * The index manifest: the contract between the batch job (which writes it once per version, immutably)
 * and the edge (which reads the CURRENT one). Everything a reader needs to open a version without
 * listing the store: each shard's key, size, checksum, global doc range and hot-region byte range (so
 * opening a shard is one range read), the encoder that built it (so queries are encoded the same way),
 * and the one impact scale that makes scores from different shards comparable.
 *
 * Serialized with msgpackr (`encodeManifest` / `decodeManifest` in manifest-codec.ts).
 */
import type { FilterableSchema } from '../docvalues/schema.ts';

export const MANIFEST_FORMAT_VERSION = 1;

export interface ShardEntry {
  /** Object key of the shard file. */
  readonly key: string;
  readonly size: number;
  /** Checksum of the whole shard file, as written by the shard writer (hex). */
  readonly checksum: string;
  /** Global doc ordinal of the shard's first document; the shard holds [docBase, docBase + numDocs). */
  readonly docBase: number;
  readonly numDocs: number;
  readonly postings: number;
  /** Byte range of the hot region (dictionary, doc map, stats): one read opens the shard. */
  readonly hotRegion: { readonly offset: number; readonly length: number };
  /** The shard's approximate-search file (shared/approximate), when the version has one. */
  readonly approximate?: ApproximateFileEntry;
  /** The shard's doc-values file (shared/docvalues): filter structures, stored text. */
  readonly docValues?: DocValuesFileEntry;
}

/** One shard's doc-values file: where it is, and its head's range and CRC (one read opens it). */
export interface DocValuesFileEntry {
  readonly key: string;
  readonly size: number;
  readonly checksum: string;
  readonly head: { readonly offset: number; readonly length: number; readonly crc: number };
}

/** One shard's approximate-search file: where it is, and where its head is (in it and in routing). */
export interface ApproximateFileEntry {
  readonly key: string;
  readonly size: number;
  readonly checksum: string;
  /** The head inside the file, with its CRC-32. */
  readonly head: { readonly offset: number; readonly length: number; readonly crc: number };
  /** The same head's bytes inside the version's routing object. */
  readonly routing: { readonly offset: number; readonly length: number };
}

/** What a version offers for approximate search. */
export interface ApproximateIndexEntry {
  /** The routing object: every shard's head, concatenated, so a cold query reads them in one go. */
  readonly routing: { readonly key: string; readonly size: number; readonly checksum: string };
  /** The mode a request without `mode` gets. */
  readonly defaultMode: 'exact' | 'approximate';
  /** Build settings (shared/approximate/format.ts), for the record. */
  readonly settings: Record<string, number>;
}

/** A JSON-able encoder description; `createEncoder(config)` rebuilds the encoder from it. */
export interface EncoderDescriptor {
  readonly name: string;
  readonly fingerprint: string;
  readonly config: Record<string, unknown>;
  /** Object keys of assets the query side needs (BM25 stats, weight table, quantized ONNX model…). */
  readonly assets?: Record<string, string>;
}

export interface IndexManifest {
  readonly formatVersion: number;
  readonly index: string;
  /** Sortable version id, e.g. "v00000042-20261125T201500Z". */
  readonly version: string;
  readonly createdAt: string;
  readonly encoder: EncoderDescriptor;
  /** Document impacts: impact = clamp(round(w / scale), 1, 2^bits − 1); see shared/sparse/quantize.ts. */
  readonly impact: { readonly bits: number; readonly scale: number };
  readonly vocabSize: number;
  readonly docs: number;
  readonly postings: number;
  readonly shards: readonly ShardEntry[];
  /** Present when every shard has an approximate-search file. */
  readonly approximate?: ApproximateIndexEntry;
  /** Metadata fields requests may filter on, and their types (every shard has a doc-values file). */
  readonly filterable?: FilterableSchema;
  /** Whether each document's text is stored (in the doc-values files): `text` fields and snippets. */
  readonly storedText?: boolean;
  /** Free-form build statistics (pruning settings, rejected lines, seconds per stage…). */
  readonly stats: Record<string, unknown>;
}

/** Content of the CURRENT pointer object (JSON): which version readers should use. */
export interface CurrentPointer {
  readonly version: string;
  readonly manifestKey: string;
  readonly updatedAt: string;
}
