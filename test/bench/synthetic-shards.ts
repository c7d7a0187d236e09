/**
 * The synthetic corpus cut into contiguous shards the way bench:edge serves it (ids "doc<n>", 8-bit
 * impacts, one scale), written with the real shard writer. Shared by bench:edge and bench:layout so
 * that both measure the same files.
 */
import { type WrittenShard, writeShard } from '../../shared/shard/index.ts';
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
