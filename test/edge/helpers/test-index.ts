/**
 * Builds a small real index in any ObjectStore without the batch pipeline: BM25 document vectors from
 * the shared encoder (bert-base-uncased), one index-wide impact scale, `writeShard` per shard, then the
 * manifest and CURRENT through the same layout and codec the batch job uses. Also scores queries the
 * slow, obvious way (exhaustive dot products over the same quantized vectors) as the expected answer.
 */

import { type BuiltApproximateFile, buildApproximateFile } from '../../../shared/approximate/build.ts';
import type { ApproximateBuildSettings } from '../../../shared/approximate/format.ts';
import { approximateEntries } from '../../../shared/approximate/index-files.ts';
import { buildDocValuesFile } from '../../../shared/docvalues/file.ts';
import type { FilterableSchema } from '../../../shared/docvalues/schema.ts';
import { Bm25Encoder } from '../../../shared/encoders/bm25/bm25-encoder.ts';
import { Bm25StatsBuilder } from '../../../shared/encoders/bm25/stats.ts';
import {
  approximateKey,
  assetKey,
  currentKey,
  docValuesKey,
  manifestKey,
  routingKey,
  shardKey,
} from '../../../shared/index/layout.ts';
import type { IndexManifest, ShardEntry } from '../../../shared/index/manifest.ts';
import { encodeCurrentPointer, encodeManifest } from '../../../shared/index/manifest-codec.ts';
import { checksumHex, shardEntryOf } from '../../../shared/index/shard-entry.ts';
import { crc32 } from '../../../shared/shard/checksum.ts';
import { writeShard } from '../../../shared/shard/writer.ts';
import { impactScale, maxWeightOf, quantizeQuery, quantizeVector } from '../../../shared/sparse/quantize.ts';
import type { QuantizedVector, SparseVector } from '../../../shared/sparse/types.ts';
import type { ObjectStore } from '../../../shared/store/object-store.ts';
import { bertBaseUncasedTokenizer } from '../../../shared/tokenizers/bert-wordpiece.ts';

export interface TestDocument {
  readonly id: string;
  readonly text: string;
  readonly title?: string;
  readonly url?: string;
  readonly metadata?: unknown;
}

export interface BuiltIndex {
  readonly manifest: IndexManifest;
  readonly encoder: Bm25Encoder;
  readonly vectors: QuantizedVector[];
  readonly ids: string[];
}

export const SAMPLE_DOCS: TestDocument[] = [
  {
    id: 'd0',
    text: 'The quick brown fox jumps over the lazy dog',
    title: 'Fox',
    url: 'https://example.com/fox',
  },
  { id: 'd1', text: 'A lazy afternoon with a sleeping dog and a cat', title: 'Afternoon' },
  { id: 'd2', text: 'Foxes are small omnivorous mammals of the dog family', metadata: { year: 2020 } },
  { id: 'd3', text: 'Learned sparse retrieval uses vocabulary expansion', title: 'SPLADE' },
  { id: 'd4', text: 'Sparse vectors over a vocabulary make inverted indexes fast' },
  { id: 'd5', text: 'Cloudflare Workers run JavaScript at the edge close to users' },
  { id: 'd6', text: 'Object storage serves byte ranges of immutable files' },
  { id: 'd7', text: 'The brown bear and the brown fox met in the forest' },
  { id: 'd8', text: 'Quantized impacts make scores from shards comparable' },
  { id: 'd9', text: 'Retrieval at the edge reads postings with range requests' },
];

export interface TestIndexOptions {
  index: string;
  version: string;
  docs?: TestDocument[];
  shards?: number;
  moveCurrent?: boolean;
  /** Approximate-search files: written by default (default mode exact); false leaves them out. */
  approximate?:
    | false
    | { defaultMode?: 'exact' | 'approximate'; settings?: Partial<ApproximateBuildSettings> };
  /** Filterable metadata fields: each shard gets a doc-values file (as `--filterable`). */
  filterable?: FilterableSchema;
  /** Store each document's text in the doc-values files (as `--store-text`). */
  storeText?: boolean;
}

const BITS = 8;

/** Where the index is written, and what every shard of it shares. */
interface Build {
  readonly store: { put(key: string, bytes: Uint8Array): Promise<unknown> };
  readonly options: TestIndexOptions;
  readonly encoder: Bm25Encoder;
  readonly vectors: QuantizedVector[];
  readonly scale: number;
}

type ApproximateFile = { key: string; built: BuiltApproximateFile };

/** Writes version `version` of `index` with `shards` shards (documents split in order) and moves CURRENT. */
export async function buildTestIndex(target: ObjectStore, options: TestIndexOptions): Promise<BuiltIndex> {
  // Fresh, exactly sized copies: Miniflare's Node-to-workerd proxy rejects views into larger buffers
  // (msgpackr returns pooled Node Buffers), which is how a test reaches a local R2 bucket.
  const store = { put: (key: string, bytes: Uint8Array) => target.put(key, new Uint8Array(bytes)) };
  const docs = options.docs ?? SAMPLE_DOCS;
  const shardCount = options.shards ?? 2;
  const { encoder, vectors, scale } = await encodeDocuments(docs);
  const build: Build = { store, options, encoder, vectors, scale };
  const { index, version } = options;
  const per = Math.ceil(docs.length / shardCount);
  let shards: ShardEntry[] = [];
  const approximateFiles: ApproximateFile[] = [];
  for (let s = 0; s < shardCount; s++) {
    const from = s * per;
    const { entry, approximateFile } = await writeShardFiles(build, s, from, docs.slice(from, from + per));
    shards.push(entry);
    if (approximateFile) approximateFiles.push(approximateFile);
  }
  let approximate: IndexManifest['approximate'];
  if (options.approximate !== false) {
    const defaultMode = options.approximate?.defaultMode ?? 'exact';
    ({ shards, approximate } = await writeRouting(build, shards, approximateFiles, defaultMode));
  }
  const description = encoder.describe();
  const assets: Record<string, string> = {};
  for (const [name, bytes] of Object.entries(description.assets)) {
    assets[name] = assetKey(index, version, name);
    await store.put(assets[name], bytes);
  }
  const manifest: IndexManifest = {
    formatVersion: 1,
    index,
    version,
    createdAt: new Date(0).toISOString(),
    encoder: { name: 'bm25', fingerprint: encoder.fingerprint, config: description.config, assets },
    impact: { bits: BITS, scale },
    vocabSize: encoder.vocabSize,
    docs: docs.length,
    postings: shards.reduce((n, s) => n + s.postings, 0),
    shards,
    ...(approximate ? { approximate } : {}),
    ...(options.filterable ? { filterable: options.filterable } : {}),
    ...(options.storeText ? { storedText: true } : {}),
    stats: {},
  };
  await store.put(manifestKey(index, version), encodeManifest(manifest));
  if (options.moveCurrent ?? true) {
    await store.put(
      currentKey(index),
      encodeCurrentPointer({
        version,
        manifestKey: manifestKey(index, version),
        updatedAt: new Date(0).toISOString(),
      }),
    );
  }
  return { manifest, encoder, vectors, ids: docs.map((d) => d.id) };
}

/** BM25 document vectors (bert-base-uncased) quantized with one index-wide scale. */
async function encodeDocuments(docs: readonly TestDocument[]) {
  const tokenizer = bertBaseUncasedTokenizer();
  const statsBuilder = new Bm25StatsBuilder(tokenizer);
  for (const d of docs) statsBuilder.add(d.text);
  const encoder = new Bm25Encoder({ tokenizer, stats: statsBuilder.build() });
  const floats = await encoder.encode(
    docs.map((d) => d.text),
    'document',
  );
  const scale = impactScale(maxWeightOf(floats), BITS);
  const vectors = floats.map((v) => quantizeVector(v, scale, BITS));
  return { encoder, vectors, scale };
}

/** Shard `s` (documents `part`, the first at `from`): its shard file, doc-values and approximate files. */
async function writeShardFiles(
  build: Build,
  s: number,
  from: number,
  part: TestDocument[],
): Promise<{ entry: ShardEntry; approximateFile?: ApproximateFile }> {
  const { store, options } = build;
  const { index, version } = options;
  const to = from + part.length;
  const written = writeShard({
    shardName: `shard-${s}`,
    docBase: from,
    impactBits: BITS,
    indexScale: build.scale,
    vectors: build.vectors.slice(from, to),
    externalIds: part.map((d) => d.id),
    storedFields: part.map((d) => ({ title: d.title, url: d.url, metadata: d.metadata })),
  });
  const key = shardKey(index, version, s);
  await store.put(key, written.bytes);
  let entry = shardEntryOf(key, written);
  if (options.filterable || options.storeText) {
    const dv = await buildDocValuesFile({
      metadata: part.map((d) => d.metadata),
      schema: options.filterable ?? {},
      ...(options.storeText ? { texts: part.map((d) => d.text) } : {}),
    });
    const dvKey = docValuesKey(index, version, s);
    await store.put(dvKey, dv.bytes);
    entry = {
      ...entry,
      docValues: { key: dvKey, size: dv.bytes.length, checksum: checksumHex(crc32(dv.bytes)), head: dv.head },
    };
  }
  if (options.approximate === false) return { entry };
  const built = buildApproximateFile({
    vectors: build.vectors.slice(from, to),
    externalIds: part.map((d) => d.id),
    impactBits: BITS,
    vocabSize: build.encoder.vocabSize,
    settings: options.approximate?.settings,
  });
  const approxKey = approximateKey(index, version, s);
  await store.put(approxKey, built.bytes);
  return { entry, approximateFile: { key: approxKey, built } };
}

/** The routing object over the shards' approximate files, and the shard entries that point into it. */
async function writeRouting(
  build: Build,
  shards: ShardEntry[],
  approximateFiles: ApproximateFile[],
  defaultMode: 'exact' | 'approximate',
): Promise<{ shards: ShardEntry[]; approximate: IndexManifest['approximate'] }> {
  const { index, version } = build.options;
  const { routing, entries } = approximateEntries(approximateFiles);
  const key = routingKey(index, version);
  await build.store.put(key, routing);
  return {
    shards: shards.map((entry, s) => ({ ...entry, approximate: entries[s] })),
    approximate: {
      routing: { key, size: routing.length, checksum: checksumHex(crc32(routing)) },
      defaultMode,
      settings: { ...approximateFiles[0].built.settings },
    },
  };
}

/** Exhaustive scoring of the quantized vectors: [{id, score}] by score desc, then doc order; score > 0 only. */
export function expectedHits(
  built: BuiltIndex,
  query: SparseVector,
  k: number,
  /** Only documents (by position) that pass: a filter evaluated on each document. */
  passes: (doc: number) => boolean = () => true,
): { id: string; score: number }[] {
  const { vector: q, scale } = quantizeQuery(query, 8);
  const weights = new Map<number, number>();
  q.terms.forEach((t, i) => {
    weights.set(t, q.impacts[i]);
  });
  const scored = built.vectors.map((v, doc) => {
    let s = 0;
    v.terms.forEach((t, i) => {
      s += (weights.get(t) ?? 0) * v.impacts[i];
    });
    return { doc, s };
  });
  return scored
    .filter((x) => x.s > 0 && passes(x.doc))
    .sort((a, b) => b.s - a.s || a.doc - b.doc)
    .slice(0, k)
    .map((x) => ({ id: built.ids[x.doc], score: x.s * built.manifest.impact.scale * scale }));
}
