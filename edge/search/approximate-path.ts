/**
 * Approximate search at the edge (shared/approximate/search.ts over a version's approximate files).
 * A cold query makes three dependent steps: the routing object (every shard's head in one object, read
 * in parallel with nothing else needed), then waves of forward records chosen by the search's own
 * ranking — the first wave sized to what such a query usually needs, later ones only when the stop rule
 * still wants records — then the answer. Records are CRC-checked, parsed once and kept in the isolate
 * (decoded LRU) under their immutable keys, so a warm query reads nothing.
 *
 * Document ids come from the forward records themselves, so no doc map (hot region) is read.
 */

import type { BlockLists } from '../../shared/approximate/block-lists.ts';
import { decodeBlockLists } from '../../shared/approximate/block-lists.ts';
import { ForwardCluster } from '../../shared/approximate/forward.ts';
import { type ApproxHead, clusterRange } from '../../shared/approximate/head.ts';
import { headsFromRouting } from '../../shared/approximate/index-files.ts';
import { RoutingIndex } from '../../shared/approximate/routing.ts';
import {
  type ApproximateParams,
  ApproximateSearch,
  type ApproximateStats,
  type ApproxShard,
  type ClusterRef,
} from '../../shared/approximate/search.ts';
import type { DocSet } from '../../shared/engine/doc-set.ts';
import { CspladeError } from '../../shared/errors.ts';
import { routingKey } from '../../shared/index/layout.ts';
import type { IndexManifest } from '../../shared/index/manifest.ts';
import { crc32 } from '../../shared/shard/checksum.ts';
import { ShardFormatError } from '../../shared/shard/errors.ts';
import { ByteLru } from './byte-lru.ts';
import type { ByteTiers, QueryIo } from './byte-tiers.ts';
import { PhaseTimer } from './phase-timer.ts';

/**
 * Records the first wave fetches at least. A second wave costs a first byte (~30 ms, long tail); twelve
 * records of ~140 KB cost ~30 ms of transfer spread over the connections, and neighbouring ones are read
 * together: on bench:edge's 1M-document index most queries then finish in one wave.
 */
const FIRST_WAVE_RECORDS = 12;
/** Most records a later wave fetches (all those the stop rule still wants, usually far fewer). */
const LATER_WAVE_RECORDS = 64;

/** One hit of an approximate search, with what explain and stored fields need. */
export interface ApproximateHit {
  /** Global doc id. */
  readonly doc: number;
  readonly score: number;
  readonly shard: number;
  readonly id: string;
  /** The document's (term, impact) pairs, for explain. */
  vector(): { terms: number[]; impacts: number[] };
}

export interface ApproximateAnswer {
  readonly hits: ApproximateHit[];
  readonly stats: ApproximateStats & { readonly waves: number; readonly recordsFetched: number };
}

/** The index has no approximate files: the request asked for a mode this version cannot serve. */
export class NoApproximateIndexError extends CspladeError {
  constructor(index: string, version: string) {
    super(
      'no_approximate_index',
      `${index} ${version} was built without approximate-search files (csplade index --no-approximate); use mode "exact"`,
    );
  }
}

interface Routing {
  readonly heads: ApproxHead[];
  readonly index: RoutingIndex;
}

export class ApproximatePath {
  /** Decoded routing indexes, forward records and block lists, bounded by the bytes they hold. */
  readonly #decoded: ByteLru<Promise<unknown>>;

  constructor(
    private readonly tiers: ByteTiers,
    maxDecodedBytes: number,
  ) {
    this.#decoded = new ByteLru(maxDecodedBytes);
  }

  get cachedBytes(): number {
    return this.#decoded.bytes;
  }

  async search(
    manifest: IndexManifest,
    query: { terms: Uint32Array; weights: Uint32Array },
    k: number,
    params: ApproximateParams,
    io: QueryIo,
    /** The routing object's bytes when the caller started reading them early (prefetchRouting). */
    prefetched?: Promise<Uint8Array | null>,
    /** Per shard, the docs that may be returned (a filter), and where time goes. */
    options: { accept?: readonly DocSet[]; timer?: PhaseTimer } = {},
  ): Promise<ApproximateAnswer> {
    const timer = options.timer ?? new PhaseTimer();
    const approximate = manifest.approximate;
    if (!approximate || manifest.shards.some((s) => !s.approximate)) {
      throw new NoApproximateIndexError(manifest.index, manifest.version);
    }
    const routing = await timer.time('fetch', this.#routing(manifest, io, prefetched));
    const shards: ApproxShard[] = routing.heads.map((head, s) => ({
      docBase: manifest.shards[s].docBase,
      head,
    }));
    if (params.level === 'blocks') {
      const lists = await Promise.all(
        shards.map((_, s) => this.#blockLists(manifest, routing.heads[s], s, io)),
      );
      lists.forEach((blockLists, s) => {
        shards[s] = { ...shards[s], blockLists };
      });
    }
    const search = timer.timeSync(
      'plan',
      () => new ApproximateSearch(shards, routing.index, query, k, params, options.accept),
    );
    const records = new Map<string, ForwardCluster>();
    const refKey = (ref: ClusterRef) => `${ref.shard}/${ref.cluster}`;
    let waves = 0;
    let fetched = 0;
    // First wave: what a query of this k usually scores, and some margin. Later waves know the threshold:
    // they fetch every record still wanted at once.
    let ahead = Math.max(
      FIRST_WAVE_RECORDS,
      Math.ceil((k * 2) / routing.heads[0].header.settings.clusterSize),
    );
    for (;;) {
      const outcome = timer.timeSync('score', () =>
        search.run((shard, cluster) => records.get(refKey({ shard, cluster }))),
      );
      if (outcome === 'done') break;
      const wanted = search.upcoming(ahead).filter((ref) => !records.has(refKey(ref)));
      if (!wanted.some((ref) => refKey(ref) === refKey(outcome))) wanted.unshift(outcome);
      const loaded = await timer.time('fetch', this.#records(manifest, routing.heads, wanted, io));
      waves++;
      fetched += loaded.fetched;
      for (const [i, ref] of wanted.entries()) records.set(refKey(ref), loaded.records[i]);
      ahead = LATER_WAVE_RECORDS;
    }
    const result = search.result();
    const hits: ApproximateHit[] = Array.from(result.docs, (doc, i) => {
      const shard = shardOf(shards, doc);
      const local = doc - shards[shard].docBase;
      const clusterSize = routing.heads[shard].header.settings.clusterSize;
      const record = records.get(refKey({ shard, cluster: Math.floor(local / clusterSize) }))!;
      const inRecord = local - record.firstDoc;
      return {
        doc,
        score: result.scores[i],
        shard,
        id: record.externalId(inRecord),
        vector: () => record.documentVector(inRecord),
      };
    });
    return { hits, stats: { ...search.stats, waves, recordsFetched: fetched } };
  }

  /** Loads a version's routing index (what every approximate query reads first). */
  async warm(manifest: IndexManifest, io: QueryIo): Promise<void> {
    await this.#routing(manifest, io);
  }

  /**
   * Starts reading a version's routing object before its manifest is known (its key follows from the
   * version); resolves to null when the isolate has it decoded already or the version has none.
   */
  prefetchRouting(index: string, version: string, io: QueryIo): Promise<Uint8Array | null> {
    const key = routingKey(index, version);
    if (this.#decoded.has(`routing\u0000${key}`)) return Promise.resolve(null);
    return this.tiers.readObject(key, io).catch(() => null);
  }

  async #routing(
    manifest: IndexManifest,
    io: QueryIo,
    prefetched?: Promise<Uint8Array | null>,
  ): Promise<Routing> {
    const object = manifest.approximate!.routing;
    const id = `routing\u0000${object.key}`;
    return this.#cached(id, object.size * 2, async () => {
      const early = prefetched ? await prefetched : null;
      const bytes =
        early && early.length === object.size
          ? early
          : (
              await this.tiers.read([{ key: object.key, offset: 0, length: object.size }], io, {
                keep: false,
              })
            )[0];
      const heads = headsFromRouting(
        bytes,
        0,
        manifest.shards.map((s) => s.approximate!),
        object.key,
      );
      return { heads, index: RoutingIndex.build(heads) };
    });
  }

  async #blockLists(
    manifest: IndexManifest,
    head: ApproxHead,
    shard: number,
    io: QueryIo,
  ): Promise<BlockLists> {
    const file = manifest.shards[shard].approximate!;
    const region = head.header.blockLists;
    return this.#cached(`lists\u0000${file.key}`, region.length, async () => {
      const [bytes] = await this.tiers.read(
        [{ key: file.key, offset: region.offset, length: region.length }],
        io,
        {
          keep: false,
        },
      );
      if (crc32(bytes) !== region.crc)
        throw new ShardFormatError(file.key, 'block lists', 'checksum mismatch');
      return decodeBlockLists(bytes, head.header.numBlocks, file.key);
    });
  }

  /** The records of `refs`, from the isolate when decoded there, else read (planned together) and parsed. */
  async #records(
    manifest: IndexManifest,
    heads: readonly ApproxHead[],
    refs: readonly ClusterRef[],
    io: QueryIo,
  ): Promise<{ records: ForwardCluster[]; fetched: number }> {
    const ids = refs.map(
      (ref) => `record\u0000${manifest.shards[ref.shard].approximate!.key}\u0000${ref.cluster}`,
    );
    const cached = ids.map((id) => this.#decoded.get(id) as Promise<ForwardCluster> | undefined);
    for (const hit of cached) if (hit) io.cost.hit('memory');
    const missing = refs.map((_, i) => i).filter((i) => !cached[i]);
    if (missing.length > 0) {
      const ranges = missing.map((i) => {
        const ref = refs[i];
        const r = clusterRange(heads[ref.shard], ref.cluster);
        return {
          key: manifest.shards[ref.shard].approximate!.key,
          offset: r.offset,
          length: r.length,
          crc: r.crc,
        };
      });
      const reading = this.tiers.read(ranges, io, { keep: false });
      missing.forEach((i, j) => {
        const ref = refs[i];
        const r = ranges[j];
        const parsed = reading.then((all) => {
          const bytes = all[j];
          if (crc32(bytes) !== r.crc) {
            throw new ShardFormatError(r.key, 'forward index', `cluster ${ref.cluster}: checksum mismatch`);
          }
          return ForwardCluster.parse(
            bytes,
            ref.cluster * heads[ref.shard].header.settings.clusterSize,
            r.key,
          );
        });
        cached[i] = parsed;
        this.#decoded.set(ids[i], parsed, r.length);
        parsed.catch(() => {
          if (this.#decoded.get(ids[i]) === parsed) this.#decoded.delete(ids[i]);
        });
      });
    }
    return { records: await Promise.all(cached as Promise<ForwardCluster>[]), fetched: missing.length };
  }

  async #cached<T>(id: string, bytes: number, load: () => Promise<T>): Promise<T> {
    const hit = this.#decoded.get(id) as Promise<T> | undefined;
    if (hit) return hit;
    const loading = load();
    this.#decoded.set(id, loading, bytes);
    loading.catch(() => {
      if (this.#decoded.get(id) === loading) this.#decoded.delete(id);
    });
    return loading;
  }
}

function shardOf(shards: readonly ApproxShard[], doc: number): number {
  let lo = 0;
  let hi = shards.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (shards[mid].docBase <= doc) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
