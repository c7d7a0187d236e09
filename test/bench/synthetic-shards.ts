/**
 * The synthetic corpus cut into contiguous shards the way bench:edge serves it (ids "doc<n>", 8-bit
 * impacts, one scale), written with the real shard writer. Shared by bench:edge and bench:layout so
 * that both measure the same files.
 */
import { DEFAULT_MEMORY_BUDGET_POSTINGS } from '../../batch/pipeline/build-settings.ts';
import { equalRanges, placeByCluster } from '../../batch/pipeline/placement.ts';
import {
  type BuiltApproximateFile,
  buildApproximateFile,
  shardRoutingEntries,
} from '../../shared/approximate/build.ts';
import { DEFAULT_APPROXIMATE_BUILD } from '../../shared/approximate/format.ts';
import { approximateEntries } from '../../shared/approximate/index-files.ts';
import { buildDocValuesFile } from '../../shared/docvalues/file.ts';
import type { FilterableSchema } from '../../shared/docvalues/schema.ts';
import {
  approximateKey,
  assetKey,
  currentKey,
  docValuesKey,
  manifestKey,
  routingKey,
  shardKey,
} from '../../shared/index/layout.ts';
import type { EncoderDescriptor, IndexManifest, ShardEntry } from '../../shared/index/manifest.ts';
import { encodeCurrentPointer, encodeManifest } from '../../shared/index/manifest-codec.ts';
import { checksumHex, shardEntryOf } from '../../shared/index/shard-entry.ts';
import { crc32 } from '../../shared/shard/checksum.ts';
import { type WrittenShard, writeShard } from '../../shared/shard/index.ts';
import type { QuantizedVector } from '../../shared/sparse/types.ts';
import type { SyntheticCorpus } from './synthetic-corpus.ts';

/** The synthetic impacts use one corpus-wide scale: weight = impact × log1p(6) / 255. */
export const SYNTHETIC_INDEX_SCALE = Math.log1p(6) / 255;

export function writeSyntheticShards(corpus: SyntheticCorpus, shards: number): WrittenShard[] {
  const docs = corpus.documents.length;
  const per = Math.ceil(docs / shards);
  const written: WrittenShard[] = [];
  for (let s = 0; s < shards; s++) {
    const from = s * per;
    const to = Math.min(docs, from + per);
    written.push(
      writeShard({
        shardName: `shard-${s}`,
        docBase: from,
        impactBits: 8,
        indexScale: SYNTHETIC_INDEX_SCALE,
        vectors: corpus.documents.slice(from, to),
        externalIds: Array.from({ length: to - from }, (_, i) => `doc${from + i}`),
      }),
    );
  }
  return written;
}

/** What writeSyntheticIndex is asked to write. */
export interface SyntheticIndexOptions {
  index: string;
  version: string;
  shards: number;
  vocab: number;
  encoder: EncoderDescriptor;
  vocabSize: number;
  assets: Record<string, Uint8Array>;
  /** Filterable fields, and each document's metadata by its corpus position (a doc-values file per shard). */
  filterable?: { schema: FilterableSchema; metadata: (doc: number) => unknown };
}

interface IndexFile {
  key: string;
  bytes: Uint8Array;
}

/**
 * A whole synthetic index as the pipeline would publish it: documents placed in global cluster order
 * (batch/pipeline/placement.ts), cut into contiguous shards, each with its approximate file, the routing
 * object, the manifest (default mode approximate) and CURRENT. Vector queries need the precomputed
 * encoder over bert-base-uncased, whose description `encoder` gives.
 */
export async function writeSyntheticIndex(
  documents: readonly QuantizedVector[],
  options: SyntheticIndexOptions,
): Promise<{ files: IndexFile[]; manifest: IndexManifest; order: Uint32Array }> {
  const { index, version } = options;
  const order = await placeDocuments(documents, options);
  const placed = Array.from(order, (i) => documents[i]);
  const files: IndexFile[] = [];
  const written: ShardEntry[] = [];
  const approx: { key: string; built: BuiltApproximateFile }[] = [];
  for (let s = 0; s < options.shards; s++) {
    const shard = await writeShardFiles(placed, order, s, options);
    files.push(...shard.files);
    written.push(shard.entry);
    approx.push(shard.approximate);
  }
  const { routing, entries } = approximateEntries(approx);
  const shards = written.map((entry, s) => ({ ...entry, approximate: entries[s] }));
  files.push({ key: routingKey(index, version), bytes: routing });
  const assets: Record<string, string> = {};
  for (const [name, bytes] of Object.entries(options.assets)) {
    assets[name] = assetKey(index, version, name);
    files.push({ key: assets[name], bytes });
  }
  const manifest: IndexManifest = {
    formatVersion: 1,
    index,
    version,
    createdAt: new Date(0).toISOString(),
    encoder: { ...options.encoder, assets },
    impact: { bits: 8, scale: SYNTHETIC_INDEX_SCALE },
    vocabSize: options.vocabSize,
    docs: placed.length,
    postings: shards.reduce((sum, s) => sum + s.postings, 0),
    shards,
    approximate: {
      routing: {
        key: routingKey(index, version),
        size: routing.length,
        checksum: checksumHex(crc32(routing)),
      },
      defaultMode: 'approximate',
      settings: { ...approx[0].built.settings },
    },
    ...(options.filterable ? { filterable: options.filterable.schema } : {}),
    stats: {},
  };
  files.push({ key: manifestKey(index, version), bytes: encodeManifest(manifest) });
  files.push({
    key: currentKey(index),
    bytes: encodeCurrentPointer({ version, manifestKey: manifestKey(index, version), updatedAt: '' }),
  });
  return { files, manifest, order };
}

/**
 * The documents' order, placed as the build stage places them: all at once within its memory budget,
 * beyond it by centroids learnt from a sample (batch/pipeline/placement.ts).
 */
async function placeDocuments(
  documents: readonly QuantizedVector[],
  options: SyntheticIndexOptions,
): Promise<Uint32Array> {
  const n = documents.length;
  let postings = 0;
  for (const d of documents) postings += d.terms.length;
  const chunks = equalRanges(n, options.shards);
  const placement = await placeByCluster({
    n,
    shardCount: options.shards,
    vocabSize: options.vocab,
    chunks,
    chunkVectors: async (c) => documents.slice(chunks[c].from, chunks[c].to),
    allInMemory: postings <= DEFAULT_MEMORY_BUDGET_POSTINGS,
  });
  return placement.order ?? Uint32Array.from({ length: n }, (_, i) => i);
}

/** Shard s of the placed documents: its shard file, approximate file and (with filters) doc-values file. */
async function writeShardFiles(
  placed: readonly QuantizedVector[],
  order: Uint32Array,
  s: number,
  options: SyntheticIndexOptions,
): Promise<{
  files: IndexFile[];
  entry: ShardEntry;
  approximate: { key: string; built: BuiltApproximateFile };
}> {
  const { index, version } = options;
  const n = placed.length;
  const from = Math.floor((s * n) / options.shards);
  const to = Math.floor(((s + 1) * n) / options.shards);
  const vectors = placed.slice(from, to);
  const externalIds = Array.from({ length: to - from }, (_, i) => `doc${order[from + i]}`);
  const written = writeShard({
    shardName: `shard-${s}`,
    docBase: from,
    impactBits: 8,
    indexScale: SYNTHETIC_INDEX_SCALE,
    vectors,
    externalIds,
  });
  const key = shardKey(index, version, s);
  const files: IndexFile[] = [{ key, bytes: written.bytes }];
  let entry = shardEntryOf(key, written);
  const built = buildApproximateFile({
    vectors,
    externalIds,
    impactBits: 8,
    vocabSize: options.vocab,
    settings: { routingEntries: shardRoutingEntries(DEFAULT_APPROXIMATE_BUILD, options.shards) },
  });
  const approxKey = approximateKey(index, version, s);
  files.push({ key: approxKey, bytes: built.bytes });
  if (options.filterable) {
    const { filterable } = options;
    const dv = await buildDocValuesFile({
      metadata: Array.from({ length: to - from }, (_, i) => filterable.metadata(order[from + i])),
      schema: filterable.schema,
    });
    const dvKey = docValuesKey(index, version, s);
    files.push({ key: dvKey, bytes: dv.bytes });
    entry = {
      ...entry,
      docValues: { key: dvKey, size: dv.bytes.length, checksum: checksumHex(crc32(dv.bytes)), head: dv.head },
    };
  }
  return { files, entry, approximate: { key: approxKey, built } };
}
