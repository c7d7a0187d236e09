import { describe, expect, it } from 'vitest';
import { ShardInputError, type WriteShardInput, writeShard } from '../../../shared/shard/index.ts';

const base: WriteShardInput = {
  shardName: 's',
  docBase: 0,
  impactBits: 8,
  indexScale: 0.5,
  vectors: [{ terms: Uint32Array.of(1, 2), impacts: Uint16Array.of(3, 4) }],
  externalIds: ['a'],
};

describe('writeShard input checks', () => {
  it.each<[string, Partial<WriteShardInput>, RegExp]>([
    ['bits out of range', { impactBits: 17 }, /impactBits must be an integer in 1\.\.16/],
    ['bad scale', { indexScale: 0 }, /indexScale/],
    ['negative docBase', { docBase: -1 }, /docBase/],
    ['ids count', { externalIds: [] }, /1 vectors but 0 external ids/],
    ['stored count', { storedFields: [] }, /stored-field entries/],
    [
      'unsorted terms',
      { vectors: [{ terms: Uint32Array.of(2, 1), impacts: Uint16Array.of(1, 1) }] },
      /not strictly increasing/,
    ],
    [
      'impact above bits',
      { impactBits: 2, vectors: [{ terms: Uint32Array.of(1), impacts: Uint16Array.of(4) }] },
      /impact 4 of term 1 outside 1\.\.3/,
    ],
    ['zero impact', { vectors: [{ terms: Uint32Array.of(1), impacts: Uint16Array.of(0) }] }, /impact 0/],
    [
      'length mismatch',
      { vectors: [{ terms: Uint32Array.of(1), impacts: Uint16Array.of() }] },
      /1 terms but 0 impacts/,
    ],
    [
      '__proto__ metadata',
      { storedFields: [{ metadata: JSON.parse('{"a":{"__proto__":1}}') }] },
      /__proto__/,
    ],
  ])('rejects %s', (_, change, message) => {
    let error: unknown;
    try {
      writeShard({ ...base, ...change });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ShardInputError);
    expect((error as Error).message).toMatch(message);
  });

  it('writes an empty shard that reports zero terms', () => {
    const { stats, bytes } = writeShard({ ...base, vectors: [], externalIds: [] });
    expect(stats).toMatchObject({ numDocs: 0, numTerms: 0, numPostings: 0, maxImpact: 0 });
    expect(bytes.length % 8).toBe(0);
  });
});
