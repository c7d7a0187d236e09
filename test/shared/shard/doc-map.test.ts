import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeDocMap, encodeDocMap } from '../../../shared/shard/doc-map.ts';
import { ShardInputError } from '../../../shared/shard/errors.ts';
import { u32View } from '../../../shared/shard/hot-region.ts';

function roundTrip(ids: string[]) {
  const encoded = encodeDocMap(ids);
  const map = decodeDocMap(encoded.meta, ids.length, (n) => encoded.sections.get(n), u32View, 't');
  return { kind: encoded.meta.kind, ids: ids.map((_, d) => map.externalId(d)), encoded };
}

describe('doc map', () => {
  it('picks the most compact encoding that reproduces the ids', () => {
    expect(roundTrip(['doc5', 'doc6', 'doc7'])).toMatchObject({
      kind: 'sequential',
      ids: ['doc5', 'doc6', 'doc7'],
    });
    expect(roundTrip(['12', '7', '4294967295']).kind).toBe('numeric');
    // Leading zeros, mixed prefixes and too-large numbers are not numeric.
    for (const ids of [['d007', 'd010'], ['a1', 'b2'], ['4294967296'], ['x', 'y']]) {
      const r = roundTrip(ids);
      expect(r.ids).toEqual(ids);
      expect(['strings', 'numeric']).toContain(r.kind);
    }
    expect(roundTrip(['d007', 'd010']).kind).toBe('strings');
    expect(roundTrip(['4294967296']).kind).toBe('strings');
  });

  it('round-trips any well-formed ids', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 10 }), { maxLength: 30 }), (ids) => {
        expect(roundTrip(ids).ids).toEqual(ids);
      }),
    );
  });

  it('keeps a leading byte-order mark and rejects lone surrogates', () => {
    expect(roundTrip(['\uFEFFa', 'b']).ids).toEqual(['\uFEFFa', 'b']);
    expect(() => encodeDocMap(['ok', 'bad\uD800'])).toThrow(ShardInputError);
  });

  it('rejects columns that do not match numDocs', () => {
    const encoded = encodeDocMap(['a', 'bb']);
    expect(() => decodeDocMap(encoded.meta, 3, (n) => encoded.sections.get(n), u32View, 't')).toThrow(
      /shard t: doc map: offsets column/,
    );
    expect(() => decodeDocMap({ kind: 'other' }, 0, () => undefined, u32View, 't')).toThrow(/unknown kind/);
  });
});
