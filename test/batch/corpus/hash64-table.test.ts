/**
 * Hash64Map and IdHashSet (one table): values survive growth, keys differing only in one half stay apart,
 * and (0, 0) is a key like any other.
 */
import { describe, expect, it } from 'vitest';
import { Hash64Map, IdHashSet } from '../../../batch/corpus/hash64-table.ts';

describe('Hash64Map', () => {
  it('maps 64-bit keys to values through growth, first value wins', () => {
    const map = new Hash64Map(2);
    for (let i = 0; i < 20_000; i++) expect(map.setIfAbsent(i, 0xffffffff - i, i * 3)).toBe(true);
    expect(map.setIfAbsent(5, 0xffffffff - 5, 1)).toBe(false);
    expect(map.get(5, 0xffffffff - 5)).toBe(15);
    expect(map.get(5, 5)).toBe(-1);
    expect(map.setIfAbsent(0, 0, 0)).toBe(true);
    expect(map.get(0, 0)).toBe(0);
    expect(map.size).toBe(20_001);
    for (let i = 0; i < 20_000; i += 997) expect(map.get(i, 0xffffffff - i)).toBe(i * 3);
  });
});

describe('IdHashSet', () => {
  it('remembers 64-bit hashes through growth, including (0, 0)', () => {
    const set = new IdHashSet(4);
    for (let i = 0; i < 10_000; i++) expect(set.add(i * 7919, i)).toBe(true);
    expect(set.add(0, 0)).toBe(false); // (0,0) was the first hash added (i = 0)
    expect(set.add(7919, 1)).toBe(false);
    expect(set.has(7919 * 9999, 9999)).toBe(true);
    expect(set.has(1, 2)).toBe(false);
    expect(set.size).toBe(10_000);
  });
});
