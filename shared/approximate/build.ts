/**
 * Builds the approximate-search file of one shard from its documents in local order (the build stage
 * has already given documents about the same things neighbouring ids, shared/postings/reorder.ts).
 *
 * Consecutive local docs form clusters of `clusterSize` docs; each cluster becomes one forward record
 * (forward.ts) and one routing summary: the `termsPerCluster` terms with the largest impact in the
 * cluster and that impact — the only part of the index a cold query reads before it knows which
 * clusters to fetch, so it is kept small on purpose. Block lists keep, for every term, the blocks in
 * which it reaches its highest impacts (static pruning per term); they rank blocks more finely than
 * the routing summaries and serve queries that ask for many hits.
 *
 * The output is deterministic for a given input, so files can be compared byte for byte.
 */
import { crc32 } from '../shard/checksum.ts';
import type { QuantizedVector } from '../sparse/types.ts';
import { encodeBlockLists } from './block-lists.ts';
import {
  APPROX_FORMAT_VERSION,
  type ApproximateBuildSettings,
  bytesOf,
  DEFAULT_APPROXIMATE_BUILD,
  encodeApproxFooter,
  encodeSections,
  toSummaryByte,
} from './format.ts';
import { BlockScratch, encodeForwardCluster } from './forward.ts';
import { CLUSTER_DIRECTORY, ROUTING_CLUSTERS, ROUTING_MAXES, ROUTING_STARTS, ROUTING_TERMS } from './head.ts';

export interface ApproximateBuildInput {
  /** One quantized vector per local document (terms strictly increasing). */
  readonly vectors: readonly QuantizedVector[];
  readonly externalIds: readonly string[];
  /** Impact width of the index (1..16). */
  readonly impactBits: number;
  /** Vocabulary size: term ids are below it. */
  readonly vocabSize: number;
  readonly settings?: Partial<ApproximateBuildSettings>;
}

export interface BuiltApproximateFile {
  readonly bytes: Uint8Array;
  readonly settings: ApproximateBuildSettings;
  /** Byte range of the head (what a query reads first); its CRC is in the footer. */
  readonly head: { readonly offset: number; readonly length: number; readonly crc: number };
  readonly stats: {
    readonly clusters: number;
    readonly blocks: number;
    readonly forwardBytes: number;
    readonly blockListBytes: number;
    readonly headBytes: number;
    readonly routingEntries: number;
    readonly blockListEntries: number;
  };
}

export function resolveApproximateSettings(
  settings?: Partial<ApproximateBuildSettings>,
): ApproximateBuildSettings {
  const s = { ...DEFAULT_APPROXIMATE_BUILD, ...settings };
  const check = (ok: boolean, what: string) => {
    if (!ok) throw new RangeError(`approximate index: ${what}`);
  };
  check(
    Number.isInteger(s.blockSize) && s.blockSize >= 1 && s.blockSize <= 256,
    `blockSize ${s.blockSize} outside 1..256`,
  );
  check(
    Number.isInteger(s.clusterSize) &&
      s.clusterSize >= s.blockSize &&
      s.clusterSize <= 65535 &&
      s.clusterSize % s.blockSize === 0,
    `clusterSize ${s.clusterSize} must be a multiple of blockSize ${s.blockSize}, at most 65535`,
  );
  check(
    Number.isInteger(s.termsPerCluster) && s.termsPerCluster >= 1 && s.termsPerCluster <= 65535,
    `termsPerCluster ${s.termsPerCluster} outside 1..65535`,
  );
  check(s.blockListKeep > 0 && s.blockListKeep <= 1, `blockListKeep ${s.blockListKeep} outside (0, 1]`);
  check(
    Number.isInteger(s.blockListEntries) && s.blockListEntries >= 0,
    `blockListEntries ${s.blockListEntries} must be ≥ 0`,
  );
  check(
    Number.isInteger(s.blockListMinKeep) && s.blockListMinKeep >= 1,
    `blockListMinKeep ${s.blockListMinKeep} must be ≥ 1`,
  );
  return s;
}

export function buildApproximateFile(input: ApproximateBuildInput): BuiltApproximateFile {
  const settings = resolveApproximateSettings(input.settings);
  const { vectors, externalIds, impactBits, vocabSize } = input;
  const numDocs = vectors.length;
  if (externalIds.length !== numDocs) {
    throw new RangeError(`approximate index: ${numDocs} vectors but ${externalIds.length} ids`);
  }
  const numClusters = Math.ceil(numDocs / settings.clusterSize);
  const clusterMax = new Uint16Array(vocabSize);
  const termsPerCluster = routingTermsPerCluster(settings, vectors, clusterMax);
  const numBlocks = Math.ceil(numDocs / settings.blockSize);
  const shape: FileShape = {
    numClusters,
    wideTerms: vocabSize > 0x10000,
    wideImpacts: impactBits > 8,
    topImpact: 2 ** impactBits - 1,
  };
  // 1. Forward records, one per cluster, and each cluster's routing summary.
  const forward = encodeClusters(input, settings, shape, termsPerCluster, clusterMax);
  // 2. Block lists: per term, its blocks ranked by the term's largest impact in them.
  const blockLists = encodeBlockLists(vectors, settings.blockSize, vocabSize, shape.topImpact, settings);
  // 3. Head: header, cluster directory and routing summaries.
  const blockListsAt = align8(forward.bytes);
  const headAt = align8(blockListsAt + blockLists.bytes.length);
  const head = encodeSections(
    {
      version: APPROX_FORMAT_VERSION,
      numDocs,
      numClusters,
      numBlocks,
      impactBits,
      wideTerms: shape.wideTerms,
      wideClusters: numClusters > 0xffff,
      settings,
      routingTermsPerCluster: termsPerCluster,
      forward: { offset: 0, length: forward.bytes },
      blockLists: {
        offset: blockListsAt,
        length: blockLists.bytes.length,
        crc: crc32(blockLists.bytes),
        numTerms: blockLists.numTerms,
        entries: blockLists.entries,
        keep: blockLists.keep,
      },
    },
    headSections(forward, shape, vocabSize),
  );
  const headCrc = crc32(head);
  const out = new Uint8Array(headAt + head.length + 32);
  let at = 0;
  for (const record of forward.records) {
    out.set(record, at);
    at += record.length;
  }
  out.set(blockLists.bytes, blockListsAt);
  out.set(head, headAt);
  out.set(encodeApproxFooter({ headOffset: headAt, headLength: head.length, headCrc }), headAt + head.length);
  return {
    bytes: out,
    settings,
    head: { offset: headAt, length: head.length, crc: headCrc },
    stats: {
      clusters: numClusters,
      blocks: numBlocks,
      forwardBytes: forward.bytes,
      blockListBytes: blockLists.bytes.length,
      headBytes: head.length,
      routingEntries: forward.summaryTerms.length,
      blockListEntries: blockLists.entries,
    },
  };
}

/** What the encodings of one file depend on besides the settings. */
interface FileShape {
  readonly numClusters: number;
  /** Term ids need 32 bits; impacts need 16. */
  readonly wideTerms: boolean;
  readonly wideImpacts: boolean;
  /** The largest impact the index's width allows. */
  readonly topImpact: number;
}

/** The forward records, their directory (offset, length, CRC per cluster) and routing summaries. */
interface EncodedClusters {
  readonly records: Uint8Array[];
  readonly directory: Uint32Array;
  /** Bytes of all the records together. */
  readonly bytes: number;
  /** Summary entries in cluster order: cluster, term, summary byte of the term's largest impact. */
  readonly summaryClusters: number[];
  readonly summaryTerms: number[];
  readonly summaryMaxes: number[];
}

function encodeClusters(
  input: ApproximateBuildInput,
  settings: ApproximateBuildSettings,
  shape: FileShape,
  termsPerCluster: number,
  clusterMax: Uint16Array,
): EncodedClusters {
  const { vectors, externalIds } = input;
  const { clusterSize, blockSize } = settings;
  const scratch = new BlockScratch(input.vocabSize);
  const records: Uint8Array[] = [];
  const directory = new Uint32Array(3 * shape.numClusters);
  const summary = {
    summaryClusters: [] as number[],
    summaryTerms: [] as number[],
    summaryMaxes: [] as number[],
  };
  let bytes = 0;
  for (let c = 0; c < shape.numClusters; c++) {
    const from = c * clusterSize;
    const to = Math.min(vectors.length, from + clusterSize);
    const members = vectors.slice(from, to);
    const record = encodeForwardCluster({
      vectors: members,
      externalIds: externalIds.slice(from, to),
      blockSize,
      wideTerms: shape.wideTerms,
      wideImpacts: shape.wideImpacts,
      scratch,
    });
    records.push(record);
    directory[3 * c] = bytes;
    directory[3 * c + 1] = record.length;
    directory[3 * c + 2] = crc32(record);
    bytes += record.length;
    for (const [term, max] of clusterSummary(members, clusterMax, termsPerCluster)) {
      summary.summaryClusters.push(c);
      summary.summaryTerms.push(term);
      summary.summaryMaxes.push(toSummaryByte(max, shape.topImpact));
    }
  }
  if (bytes >= 2 ** 32)
    throw new RangeError('approximate index: forward region of 4 GiB or more; use more shards');
  return { records, directory, bytes, ...summary };
}

/**
 * The head's sections: the cluster directory and the routing summaries stored term-major — what a
 * query looks up — so the edge reads them in place instead of inverting them when it loads a version.
 */
function headSections(
  forward: EncodedClusters,
  shape: FileShape,
  vocabSize: number,
): Map<string, Uint8Array> {
  const routing = termMajor(forward.summaryClusters, forward.summaryTerms, forward.summaryMaxes, vocabSize);
  const wideClusters = shape.numClusters > 0xffff;
  return new Map<string, Uint8Array>([
    [CLUSTER_DIRECTORY, bytesOf(forward.directory)],
    [
      ROUTING_TERMS,
      bytesOf(shape.wideTerms ? Uint32Array.from(routing.terms) : Uint16Array.from(routing.terms)),
    ],
    [ROUTING_STARTS, bytesOf(routing.starts)],
    [ROUTING_CLUSTERS, bytesOf(wideClusters ? routing.clusters : Uint16Array.from(routing.clusters))],
    [ROUTING_MAXES, routing.maxes],
  ]);
}

/** Summary entries grouped by term (stable: clusters stay increasing within a term). */
function termMajor(clusters: number[], terms: number[], maxes: number[], vocabSize: number) {
  const count = new Uint32Array(vocabSize + 1);
  for (const t of terms) count[t + 1]++;
  const present: number[] = [];
  for (let t = 0; t < vocabSize; t++) if (count[t + 1] > 0) present.push(t);
  for (let t = 0; t < vocabSize; t++) count[t + 1] += count[t];
  const outClusters = new Uint32Array(terms.length);
  const outMaxes = new Uint8Array(terms.length);
  const fill = count.slice(0, vocabSize);
  for (let i = 0; i < terms.length; i++) {
    const at = fill[terms[i]]++;
    outClusters[at] = clusters[i];
    outMaxes[at] = maxes[i];
  }
  const starts = Uint32Array.from([...present.map((t) => count[t]), terms.length]);
  return { terms: present, starts, clusters: outClusters, maxes: outMaxes };
}

/**
 * Terms per routing summary: as many as the shard's share of the routing budget allows, at least
 * `termsPerCluster`, at most the widest cluster's distinct terms (then every summary is whole: safe
 * bounds, as in small shards, whose clusters mix subjects). `seen` is a zeroed scratch indexed by term id,
 * left zeroed.
 */
export function routingTermsPerCluster(
  settings: ApproximateBuildSettings,
  vectors: readonly QuantizedVector[],
  seen: Uint16Array,
): number {
  const numClusters = Math.max(1, Math.ceil(vectors.length / settings.clusterSize));
  const fromBudget = Math.floor(settings.routingEntries / numClusters);
  if (fromBudget <= settings.termsPerCluster) return settings.termsPerCluster;
  let widest = 0;
  for (let from = 0; from < vectors.length; from += settings.clusterSize) {
    const touched: number[] = [];
    for (const v of vectors.slice(from, from + settings.clusterSize)) {
      for (let i = 0; i < v.terms.length; i++) {
        if (seen[v.terms[i]] === 0) {
          seen[v.terms[i]] = 1;
          touched.push(v.terms[i]);
        }
      }
    }
    for (const t of touched) seen[t] = 0;
    widest = Math.max(widest, touched.length);
  }
  return Math.max(settings.termsPerCluster, Math.min(0xffff, widest, fromBudget));
}

/** A shard's share of the index's routing budget (the routing object holds every shard's summaries). */
export function shardRoutingEntries(settings: ApproximateBuildSettings, shards: number): number {
  return Math.floor(settings.routingEntries / Math.max(1, shards));
}

/**
 * The `limit` terms with the largest impact among `members` (ties: smaller term id), sorted by term
 * id, with those impacts. `maxOf` is a zeroed scratch indexed by term id, left zeroed.
 */
function clusterSummary(
  members: readonly QuantizedVector[],
  maxOf: Uint16Array,
  limit: number,
): [number, number][] {
  const touched: number[] = [];
  let top = 0;
  for (const v of members) {
    for (let i = 0; i < v.terms.length; i++) {
      const t = v.terms[i];
      if (maxOf[t] === 0) touched.push(t);
      if (v.impacts[i] > maxOf[t]) maxOf[t] = v.impacts[i];
      if (maxOf[t] > top) top = maxOf[t];
    }
  }
  // The cut by a histogram of maxima (no sort of every distinct term): keep maxima above the cut value,
  // and as many ties at it as fit, smaller term ids first.
  const histogram = new Uint32Array(top + 1);
  for (const t of touched) histogram[maxOf[t]]++;
  let cut = top;
  let above = 0;
  while (cut > 0 && above + histogram[cut] < limit) above += histogram[cut--];
  let ties = Math.max(0, limit - above);
  const kept: [number, number][] = [];
  for (const t of new Uint32Array(touched).sort()) {
    const m = maxOf[t];
    if (m > cut || (m === cut && ties-- > 0)) kept.push([t, m]);
    maxOf[t] = 0;
  }
  return kept;
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}
