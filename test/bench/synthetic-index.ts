/**
 * A whole published index version of the synthetic corpus as store objects (shards, assets, manifest,
 * CURRENT), the way bench:edge lays it out: precomputed encoder over the bert-base-uncased vocabulary,
 * contiguous shards, one impact scale; and the corpus's queries as search bodies ("#<term id>": weight).
 * For benchmarks that serve it from a folder (the Node entry) or a local R2 bucket (workerd).
 */
import { createEncoder } from '../../shared/encoders/registry.ts';
import { assetKey, currentKey, manifestKey, shardKey } from '../../shared/index/layout.ts';
import type { IndexManifest, ShardEntry } from '../../shared/index/manifest.ts';
import { encodeCurrentPointer, encodeManifest } from '../../shared/index/manifest-codec.ts';
import { shardEntryOf } from '../../shared/index/shard-entry.ts';
import type { SyntheticCorpus } from './synthetic-corpus.ts';
import { SYNTHETIC_INDEX_SCALE, writeSyntheticShards } from './synthetic-shards.ts';

export interface SyntheticIndex {
  readonly files: { key: string; bytes: Uint8Array }[];
  readonly manifest: IndexManifest;
  /** One JSON search body per corpus query. */
  readonly bodies: string[];
}

export async function syntheticIndex(
  corpus: SyntheticCorpus,
  options: { index: string; version: string; shards: number; k: number },
): Promise<SyntheticIndex> {
  const { index, version } = options;
  const encoder = await createEncoder({ name: 'precomputed', vocabulary: 'bert-base-uncased' });
  const description = encoder.describe!();
  const files: { key: string; bytes: Uint8Array }[] = [];
  const shards: ShardEntry[] = [];
  writeSyntheticShards(corpus, options.shards).forEach((written, s) => {
    const key = shardKey(index, version, s);
    files.push({ key, bytes: written.bytes });
    shards.push(shardEntryOf(key, written));
  });
  const assets: Record<string, string> = {};
  for (const [name, bytes] of Object.entries(description.assets)) {
    assets[name] = assetKey(index, version, name);
    files.push({ key: assets[name], bytes });
  }
  const manifest: IndexManifest = {
    formatVersion: 1,
    index,
    version,
    createdAt: new Date().toISOString(),
    encoder: { name: encoder.name, fingerprint: encoder.fingerprint, config: description.config, assets },
    impact: { bits: 8, scale: SYNTHETIC_INDEX_SCALE },
    vocabSize: encoder.vocabSize,
    docs: corpus.documents.length,
    postings: shards.reduce((n, s) => n + s.postings, 0),
    shards,
    stats: {},
  };
  files.push({ key: manifestKey(index, version), bytes: encodeManifest(manifest) });
  files.push({
    key: currentKey(index),
    bytes: encodeCurrentPointer({ version, manifestKey: manifestKey(index, version), updatedAt: '' }),
  });
  const bodies = corpus.queries.map((q) => {
    const vector: Record<string, number> = {};
    q.terms.forEach((t, i) => {
      vector[`#${t}`] = q.impacts[i];
    });
    return JSON.stringify({ vector, k: options.k });
  });
  return { files, manifest, bodies };
}
