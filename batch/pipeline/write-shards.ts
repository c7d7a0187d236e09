/**
 * The write pass of the build: each shard's file, its doc-values file (filterable fields, stored text) and
 * its approximate-search file, then the routing object over all of them, under the version's prefix.
 * Doc maps keep each document's external id, so the placement is invisible to readers.
 */
import {
  type BuiltApproximateFile,
  buildApproximateFile,
  shardRoutingEntries,
} from '../../shared/approximate/build.ts';
import type { ApproximateBuildSettings } from '../../shared/approximate/format.ts';
import { approximateEntries } from '../../shared/approximate/index-files.ts';
import { approximateKey, routingKey, shardKey } from '../../shared/index/layout.ts';
import type { ApproximateIndexEntry, ShardEntry } from '../../shared/index/manifest.ts';
import { checksumHex, shardEntryOf } from '../../shared/index/shard-entry.ts';
import { crc32 } from '../../shared/shard/checksum.ts';
import { writeShard } from '../../shared/shard/writer.ts';
import type { QuantizedVector } from '../../shared/sparse/types.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { APPROXIMATE_DEFAULT_MIN_DOCS, type ResolvedBuildSettings } from './build-settings.ts';
import {
  type DocValuesPlan,
  type FilterFieldStats,
  wantsDocValues,
  writeDocValues,
} from './doc-values-stage.ts';
import type { RunDocuments } from './load-run.ts';
import type { Placement } from './placement.ts';
import type { QuantizedChunks } from './run-vectors.ts';

const BINARY = { contentType: 'application/octet-stream' };

export interface ShardsToWrite {
  readonly store: ObjectStore;
  readonly index: string;
  readonly version: string;
  readonly documents: RunDocuments;
  readonly placement: Placement;
  readonly quantized: QuantizedChunks;
  readonly impact: { readonly bits: number; readonly scale: number };
  readonly vocabSize: number;
  readonly docValues: DocValuesPlan;
  readonly settings: ResolvedBuildSettings;
  readonly report: (stage: string, done: number, total: number, unit: string) => void;
}

export interface WrittenShards {
  readonly shards: ShardEntry[];
  readonly approximate?: ApproximateIndexEntry;
  readonly filterStats: FilterFieldStats;
  readonly bytesWritten: number;
}

/** Per-shard files as they are written, before the routing object joins the approximate ones. */
interface ShardFiles {
  readonly shards: ShardEntry[];
  readonly approximateFiles: { key: string; built: BuiltApproximateFile }[];
  readonly filterStats: FilterFieldStats;
  bytesWritten: number;
}

export async function writeShards(input: ShardsToWrite): Promise<WrittenShards> {
  const shardCount = input.placement.ranges.length;
  // The routing budget is the index's: each shard gets its share (the routing object holds them all).
  const approximateSettings = input.settings.approximateSettings;
  const shardSettings = {
    ...approximateSettings,
    routingEntries: shardRoutingEntries(approximateSettings, shardCount),
  };
  const files: ShardFiles = { shards: [], approximateFiles: [], filterStats: {}, bytesWritten: 0 };
  input.report('build: write shards', 0, shardCount, 'shards');
  for (let s = 0; s < shardCount; s++) {
    await writeOneShard(input, s, shardSettings, files);
    input.report('build: write shards', s + 1, shardCount, 'shards');
  }
  const approximate = input.settings.approximate ? await writeRouting(input, files) : undefined;
  return {
    shards: files.shards,
    ...(approximate ? { approximate } : {}),
    filterStats: files.filterStats,
    bytesWritten: files.bytesWritten,
  };
}

async function writeOneShard(
  input: ShardsToWrite,
  s: number,
  approximateSettings: ApproximateBuildSettings,
  files: ShardFiles,
): Promise<void> {
  const { store, index, version, documents, placement, impact } = input;
  const { from, to } = placement.ranges[s];
  const arrival = Array.from({ length: to - from }, (_, i) =>
    placement.order ? placement.order[from + i] : from + i,
  );
  const vectors = await input.quantized.gather(arrival);
  const externalIds = arrival.map((i) => documents.ids[i]);
  const written = writeShard({
    shardName: `shard-${String(s).padStart(4, '0')}`,
    docBase: from,
    impactBits: impact.bits,
    indexScale: impact.scale,
    vectors,
    externalIds,
    storedFields: arrival.map((i) => documents.fields[i]),
  });
  const key = shardKey(index, version, s);
  await store.put(key, written.bytes, BINARY);
  files.bytesWritten += written.bytes.length;
  files.shards.push(shardEntryOf(key, written));
  if (wantsDocValues(input.docValues)) {
    const fields = arrival.map((i) => documents.fields[i]);
    const entry = await writeDocValues(store, index, version, s, fields, input.docValues, files.filterStats);
    files.shards[s] = { ...files.shards[s], docValues: entry };
    files.bytesWritten += entry.size;
  }
  if (input.settings.approximate) {
    await writeApproximateFile(input, s, { vectors, externalIds, settings: approximateSettings }, files);
  }
}

async function writeApproximateFile(
  input: ShardsToWrite,
  s: number,
  shard: {
    vectors: QuantizedVector[];
    externalIds: string[];
    settings: ApproximateBuildSettings;
  },
  files: ShardFiles,
): Promise<void> {
  const built = buildApproximateFile({
    ...shard,
    impactBits: input.impact.bits,
    vocabSize: input.vocabSize,
  });
  const key = approximateKey(input.index, input.version, s);
  await input.store.put(key, built.bytes, BINARY);
  files.bytesWritten += built.bytes.length;
  files.approximateFiles.push({ key, built });
}

/** The routing object over every shard's approximate file, and the manifest's entry for it. */
async function writeRouting(input: ShardsToWrite, files: ShardFiles): Promise<ApproximateIndexEntry> {
  const { routing, entries } = approximateEntries(files.approximateFiles);
  entries.forEach((entry, s) => {
    files.shards[s] = { ...files.shards[s], approximate: entry };
  });
  const key = routingKey(input.index, input.version);
  await input.store.put(key, routing, BINARY);
  files.bytesWritten += routing.length;
  const mode = input.settings.defaultMode;
  const docs = input.documents.ids.length;
  return {
    routing: { key, size: routing.length, checksum: checksumHex(crc32(routing)) },
    defaultMode: mode === 'auto' ? (docs >= APPROXIMATE_DEFAULT_MIN_DOCS ? 'approximate' : 'exact') : mode,
    settings: { ...input.settings.approximateSettings },
  };
}
