/**
 * Querying a published index from the batch side (the `search` verb and the pipeline's tests): resolve
 * CURRENT (or a pinned version), rebuild the query encoder from the manifest alone (config + assets, as
 * the edge does), quantize the query, then per shard open it with the manifest's hot-region hint, load the
 * query's posting lists and run a registered top-k algorithm (exhaustive by default: this is also the
 * reference the tests compare with), and merge the shards' lists on global doc ids.
 */
import type { Encoder } from '../../shared/encoders/encoder.ts';
import { createEncoder, loadEncoderAssets } from '../../shared/encoders/registry.ts';
import { mergeTopK } from '../../shared/engine/merge.ts';
import { getAlgorithm } from '../../shared/engine/registry.ts';
import type { QueryTerm } from '../../shared/engine/types.ts';
import { manifestKey } from '../../shared/index/layout.ts';
import type { IndexManifest } from '../../shared/index/manifest.ts';
import { decodeManifest } from '../../shared/index/manifest-codec.ts';
import { openShard } from '../../shared/shard/reader.ts';
import { dequantizeScore, quantizeQuery } from '../../shared/sparse/quantize.ts';
import type { QuantizedVector, SparseVector } from '../../shared/sparse/types.ts';
import { objectByteSource } from '../../shared/store/object-source.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { UnknownVersionError } from './errors.ts';
import { readCurrent } from './versions.ts';

export interface LocalHit {
  readonly id: string;
  /** Global doc ordinal in the version. */
  readonly doc: number;
  /** Integer dot product of quantized query and impacts (exact, comparable across algorithms). */
  readonly integerScore: number;
  readonly score: number;
  readonly title?: string;
  readonly url?: string;
}

export async function loadManifest(
  store: ObjectStore,
  index: string,
  version?: string,
): Promise<IndexManifest> {
  let key: string;
  if (version) key = manifestKey(index, version);
  else {
    const current = await readCurrent(store, index);
    if (!current) throw new UnknownVersionError(index, 'CURRENT', []);
    key = current.pointer.manifestKey;
  }
  const object = await store.get(key);
  if (!object) throw new UnknownVersionError(index, version ?? key, []);
  return decodeManifest(object.bytes, key);
}

/** Rebuilds a query encoder from a manifest's descriptor and asset bytes (the edge's EncoderFactory shape). */
export type QueryEncoderFactory = (
  descriptor: IndexManifest['encoder'],
  assets: Readonly<Record<string, Uint8Array>>,
) => Encoder | Promise<Encoder>;

/** The shared registry, checked against the manifest's fingerprint. */
const registryFactory: QueryEncoderFactory = (descriptor, assets) =>
  createEncoder(
    { ...descriptor.config, name: descriptor.name },
    { assets, expectedFingerprint: descriptor.fingerprint },
  );

/** The query encoder of a version: its descriptor and assets through `factory` (Node callers pass the edge's). */
export async function openQueryEncoder(
  store: ObjectStore,
  manifest: IndexManifest,
  factory: QueryEncoderFactory = registryFactory,
): Promise<Encoder> {
  return factory(manifest.encoder, await loadEncoderAssets(store, manifest.encoder.assets ?? {}));
}

/** Encodes query text with the encoder the manifest names. */
export async function encodeQueryText(
  store: ObjectStore,
  manifest: IndexManifest,
  text: string,
  factory?: QueryEncoderFactory,
): Promise<SparseVector> {
  const encoder = await openQueryEncoder(store, manifest, factory);
  try {
    const [vector] = await encoder.encode([text], 'query');
    return vector;
  } finally {
    await encoder.close?.();
  }
}

export interface SearchOptions {
  readonly k?: number;
  readonly algorithm?: string;
  readonly queryBits?: number;
  readonly storedFields?: boolean;
}

/** Top-k of a query vector over every shard of `manifest`. */
export async function searchManifest(
  store: ObjectStore,
  manifest: IndexManifest,
  query: SparseVector,
  options: SearchOptions = {},
): Promise<LocalHit[]> {
  const k = options.k ?? 10;
  const { vector, scale: queryScale } = quantizeQuery(query, options.queryBits ?? 8);
  const algorithm = getAlgorithm(options.algorithm ?? 'exhaustive');
  const shards = await Promise.all(
    manifest.shards.map((entry) =>
      openShard(objectByteSource(store, entry.key, entry.size), {
        hotOffset: entry.hotRegion.offset,
        hotLength: entry.hotRegion.length,
      }),
    ),
  );
  const lists = await Promise.all(
    shards.map(async (shard, s) => {
      const result = await searchShard(shard, vector, k, algorithm.search.bind(algorithm));
      const docBase = manifest.shards[s].docBase;
      return { docs: result.docs.map((d) => d + docBase), scores: result.scores, shard: s };
    }),
  );
  const merged = mergeTopK(lists, k);
  const hits: LocalHit[] = [];
  for (let i = 0; i < merged.docs.length; i++) {
    const doc = merged.docs[i];
    const s = manifest.shards.findIndex((e) => doc >= e.docBase && doc < e.docBase + e.numDocs);
    const local = doc - manifest.shards[s].docBase;
    const hit: { -readonly [K in keyof LocalHit]: LocalHit[K] } = {
      id: shards[s].externalId(local),
      doc,
      integerScore: merged.scores[i],
      score: dequantizeScore(merged.scores[i], manifest.impact.scale, queryScale),
    };
    if (options.storedFields && shards[s].hasStoredFields) {
      const [stored] = await shards[s].storedFields([local]);
      if (stored.title !== undefined) hit.title = stored.title;
      if (stored.url !== undefined) hit.url = stored.url;
    }
    hits.push(hit);
  }
  return hits;
}

async function searchShard(
  shard: Awaited<ReturnType<typeof openShard>>,
  query: QuantizedVector,
  k: number,
  search: (request: { numDocs: number; terms: QueryTerm[]; k: number }) => {
    docs: Uint32Array;
    scores: Float64Array;
  },
) {
  const present = Array.from(query.terms).filter((t) => shard.termInfo(t) !== undefined);
  const postings = await shard.loadPostings(present);
  const terms: QueryTerm[] = [];
  query.terms.forEach((term, i) => {
    const list = postings.get(term);
    if (list) terms.push({ term, weight: query.impacts[i], postings: list });
  });
  return search({ numDocs: shard.numDocs, terms, k });
}
