import { describe, expect, it } from 'vitest';
import { type OwnedSequence, padBatch, planBatches } from '../../../../shared/encoders/onnx/batching.ts';

const seq = (length: number, owner: number): OwnedSequence => ({
  ids: Uint32Array.from({ length }, (_, i) => 10 + i),
  poolStart: 1,
  poolEnd: length,
  owner,
});

describe('batching', () => {
  it('sorts by length and respects both the size and the padded-token limit', () => {
    const sequences = [3, 9, 1, 7, 5, 8, 2].map(seq);
    const batches = planBatches(sequences, { maxBatchSize: 3, maxBatchTokens: 20 });
    const lengths = batches.map((b) => b.map((s) => s.ids.length));
    expect(lengths.flat()).toEqual([9, 8, 7, 5, 3, 2, 1]);
    for (const b of batches) {
      expect(b.length).toBeLessThanOrEqual(3);
      expect(b.length * b[0].ids.length).toBeLessThanOrEqual(20);
    }
    expect(lengths).toEqual([
      [9, 8],
      [7, 5],
      [3, 2, 1],
    ]);
  });

  it('pads on the right with masks, positions and the pooling range', () => {
    const batch = padBatch([seq(3, 0), seq(1, 1)], 0);
    expect(batch.length).toBe(3);
    expect([...batch.inputIds]).toEqual([10n, 11n, 12n, 10n, 0n, 0n]);
    expect([...batch.attentionMask]).toEqual([1n, 1n, 1n, 1n, 0n, 0n]);
    expect([...batch.positionIds]).toEqual([0n, 1n, 2n, 0n, 0n, 0n]);
    expect([...batch.poolingMask]).toEqual([0n, 1n, 1n, 0n, 0n, 0n]);
    expect(batch.realTokens).toBe(4);
  });
});
