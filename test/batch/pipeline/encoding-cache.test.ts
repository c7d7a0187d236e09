/**
 * The encoding cache: segments round-trip exactly and refuse corruption; a cache reopened by another
 * process knows every flushed entry from the hash lists alone and returns the vectors on demand; unflushed
 * entries are lost (that is the unit of resumption) and segment names never collide between attempts.
 */
import { describe, expect, it } from 'vitest';
import { decodeSegment, encodeSegment } from '../../../batch/pipeline/cache-segment.ts';
import { cacheSegmentsPrefix, EncodingCache } from '../../../batch/pipeline/encoding-cache.ts';
import { PipelineDataError } from '../../../batch/pipeline/errors.ts';
import { MemoryObjectStore } from '../../../shared/store/memory.ts';
import type { ObjectStore } from '../../../shared/store/object-store.ts';
import { TermDictionary } from '../../../shared/tokenizers/term-dictionary.ts';

const entry = (i: number) => ({
  hash: { hi: i * 3, lo: 0xffff0000 + i },
  vector: {
    terms: Uint32Array.from([i, i + 5, i + 900]),
    weights: Float32Array.from([0.5, 1.25, i + 0.125]),
  },
});

describe('cache segments', () => {
  it('round-trip hashes and vectors exactly, including empty vectors', () => {
    const entries = [
      entry(1),
      { hash: { hi: 7, lo: 8 }, vector: { terms: new Uint32Array(0), weights: new Float32Array(0) } },
      entry(2),
    ];
    const { hashes, vectors } = decodeSegment(encodeSegment(entries), 'k');
    expect(Array.from(hashes)).toEqual([3, 0xffff0001, 7, 8, 6, 0xffff0002]);
    expect(vectors.map((v) => [Array.from(v.terms), Array.from(v.weights)])).toEqual(
      entries.map((e) => [Array.from(e.vector.terms), Array.from(e.vector.weights)]),
    );
  });

  it('name terms by string for an open vocabulary: another process reads them back with its own ids', () => {
    const writer = new TermDictionary();
    const ids = ['plant', 'light', 'energi', 'cell'].map((t) => writer.intern(t)); // 0..3
    const entries = [
      {
        hash: { hi: 1, lo: 1 },
        vector: { terms: Uint32Array.from([ids[0], ids[2]]), weights: Float32Array.from([2, 1]) },
      },
      {
        hash: { hi: 2, lo: 2 },
        vector: { terms: Uint32Array.from([ids[1], ids[3]]), weights: Float32Array.from([1, 3]) },
      },
    ];
    const bytes = encodeSegment(entries, writer);
    // The reader knows other terms first, so the same strings get other ids.
    const reader = new TermDictionary();
    for (const t of ['cell', 'zebra', 'energi']) reader.intern(t);
    const { vectors } = decodeSegment(bytes, 'seg', reader);
    const named = vectors.map((v) => Array.from(v.terms, (t, i) => [reader.termOf(t), v.weights[i]]));
    expect(named).toEqual([
      [
        ['energi', 1],
        ['plant', 2],
      ],
      [
        ['cell', 3],
        ['light', 1],
      ],
    ]);
    // Sorted by the reader's ids (the SparseVector invariant).
    for (const v of vectors) expect(Array.from(v.terms)).toEqual(Array.from(v.terms).sort((a, b) => a - b));
    expect(() => decodeSegment(bytes, 'seg')).toThrow(/names terms by string/);
    const flipped = bytes.slice();
    flipped[bytes.length - 1] ^= 1; // inside the term table: still covered by the checksum
    expect(() => decodeSegment(flipped, 'seg', reader)).toThrow(/checksum/);
  });

  it('refuse a flipped byte and a truncated segment', () => {
    const bytes = encodeSegment([entry(1), entry(2)]);
    const flipped = bytes.slice();
    flipped[bytes.length - 3] ^= 1;
    expect(() => decodeSegment(flipped, 'seg')).toThrow(/checksum/);
    expect(() => decodeSegment(bytes.subarray(0, bytes.length - 4), 'seg')).toThrow(PipelineDataError);
  });
});

describe('EncodingCache', () => {
  it('persists flushed entries for the next process, which loads hashes first and vectors on demand', async () => {
    const store = new MemoryObjectStore();
    const writer = new EncodingCache({
      store,
      fingerprint: 'fnv1a64:abc',
      writerName: 'run-w0-a',
      segmentSize: 3,
    });
    await writer.loadIndex();
    for (let i = 0; i < 7; i++) await writer.add(entry(i).hash, entry(i).vector);
    await writer.drain();
    // 7 entries at 3 per segment: two segments flushed, one entry pending (lost if the process dies now).
    const keys = (await store.list(cacheSegmentsPrefix('fnv1a64:abc'))).map((o) => o.key);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^cache\/fnv1a64_abc\/segments\/run-w0-a-000000\.seg$/);

    const reader = new EncodingCache({ store, fingerprint: 'fnv1a64:abc', writerName: 'run-w0-b' });
    await reader.loadIndex();
    expect(reader.size).toBe(6);
    expect(reader.has(entry(5).hash)).toBe(true);
    expect(reader.has(entry(6).hash)).toBe(false);
    const [v4, v0] = await reader.getMany([entry(4).hash, entry(0).hash]);
    expect(Array.from(v4.weights)).toEqual(Array.from(entry(4).vector.weights));
    expect(Array.from(v0.terms)).toEqual(Array.from(entry(0).vector.terms));
    await expect(reader.getMany([entry(6).hash])).rejects.toThrow(/no cached vector/);

    // Another fingerprint sees nothing.
    const other = new EncodingCache({ store, fingerprint: 'fnv1a64:def', writerName: 'x' });
    await other.loadIndex();
    expect(other.size).toBe(0);
  });

  it('refuses a segment whose header counts more entries than the object holds, without reading them', async () => {
    const store = new MemoryObjectStore();
    const bytes = encodeSegment([entry(1), entry(2)]);
    new DataView(bytes.buffer).setUint32(12, 0x93f1c000, true); // a damaged count: a 19 GB hash list
    const key = `${cacheSegmentsPrefix('fnv1a64:damaged')}run-w00000-a-000000.seg`;
    await store.put(key, bytes);
    const cache = new EncodingCache({ store, fingerprint: 'fnv1a64:damaged', writerName: 'reader' });
    await expect(cache.loadIndex()).rejects.toThrow(/counts \d+ entries, more than its size holds/);
  });

  it('overlaps uploads with encoding, knows in-flight entries, and surfaces a failed upload', async () => {
    const store = new MemoryObjectStore();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow: ObjectStore = {
      ...bind(store),
      put: async (key, bytes, options) => {
        await gate;
        return store.put(key, bytes, options);
      },
    };
    const cache = new EncodingCache({ store: slow, fingerprint: 'f', writerName: 'w', segmentSize: 2 });
    for (let i = 0; i < 4; i++) await cache.add(entry(i).hash, entry(i).vector); // two uploads wait on the gate
    expect(cache.has(entry(1).hash)).toBe(true); // in flight: never encoded twice
    expect(await store.list('cache/')).toEqual([]);
    release();
    await cache.flush();
    expect((await store.list('cache/')).length).toBe(2);

    const failing: ObjectStore = {
      ...bind(store),
      put: async () => {
        throw new Error('disk full');
      },
    };
    const broken = new EncodingCache({ store: failing, fingerprint: 'g', writerName: 'w', segmentSize: 1 });
    await broken.add(entry(1).hash, entry(1).vector);
    await expect(broken.flush()).rejects.toThrow('disk full');
  });
});

/** The store's methods bound to it, to override one of them in a test double. */
function bind(store: ObjectStore): ObjectStore {
  return {
    get: (k) => store.get(k),
    getRange: (k, o, l) => store.getRange(k, o, l),
    head: (k) => store.head(k),
    put: (k, b, o) => store.put(k, b, o),
    list: (p) => store.list(p),
    listPrefixes: (p) => store.listPrefixes(p),
    delete: (k) => store.delete(k),
  };
}
