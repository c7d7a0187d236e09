import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CspladeError } from '../../../shared/errors.ts';
import {
  encodePostingList,
  PostingList,
  PostingsFormatError,
  PostingsInputError,
} from '../../../shared/postings/posting-list.ts';

/** Random strictly increasing doc ids below numDocs with impacts in 1..maxImpact. */
const postingsArb = fc
  .record({
    numDocs: fc.integer({ min: 1, max: 5000 }),
    density: fc.double({ min: 0.001, max: 1, noNaN: true }),
    maxImpact: fc.constantFrom(1, 3, 255, 256, 65535),
    seed: fc.integer(),
  })
  .map(({ numDocs, density, maxImpact, seed }) => {
    let s = seed >>> 0;
    const rnd = () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 4294967296;
    };
    const docs: number[] = [];
    const impacts: number[] = [];
    for (let d = 0; d < numDocs; d++) {
      if (rnd() < density) {
        docs.push(d);
        impacts.push(1 + Math.floor(rnd() * maxImpact));
      }
    }
    return { numDocs, docs: Uint32Array.from(docs), impacts: Uint16Array.from(impacts) };
  });

const optionsArb = fc.record({
  blockSize: fc.integer({ min: 1, max: 200 }),
  rangeBlockBits: fc.integer({ min: 0, max: 8 }),
  superBlockBits: fc.integer({ min: 0, max: 4 }),
  rangeMaximaMinDf: fc.integer({ min: 1, max: 300 }),
  rangeMaximaPostingsPerBlock: fc.constantFrom(0, 0.5, 8, 100),
});

/** Decodes fully; the only acceptable failure is PostingsFormatError. */
function decodeOrFormatError(bytes: Uint8Array): 'ok' | 'error' {
  try {
    const list = PostingList.decode(bytes);
    const all = list.decodeAll();
    for (let i = 0; i < all.docs.length; i++) {
      if (all.docs[i] >= list.numDocs || (i > 0 && all.docs[i] <= all.docs[i - 1]))
        throw new Error('bad docs');
    }
    for (let r = 0; r < list.numRangeBlocks; r++) list.rangeMax(r);
    return 'ok';
  } catch (e) {
    if (e instanceof PostingsFormatError) return 'error';
    throw e;
  }
}

describe('posting list format: round trip and size', () => {
  it('round-trips postings, skip data and range maxima', () => {
    fc.assert(
      fc.property(postingsArb, optionsArb, ({ numDocs, docs, impacts }, options) => {
        const bytes = encodePostingList(docs, impacts, numDocs, options);
        const list = PostingList.decode(bytes);
        expect(list.df).toBe(docs.length);
        expect(list.byteLength).toBe(bytes.length);
        expect(list.maxImpact).toBe(impacts.reduce((a, b) => Math.max(a, b), 0));
        const all = list.decodeAll();
        expect(Array.from(all.docs)).toEqual(Array.from(docs));
        expect(Array.from(all.impacts)).toEqual(Array.from(impacts));
        expect(list.hasRangeMaxima).toBe(docs.length > 0 && docs.length >= options.rangeMaximaMinDf);
        const granule = Math.min(32, options.blockSize);
        for (let j = 0, from = 0; j < list.numBlocks; j++) {
          const to = from + list.blockLength(j);
          // Blocks are cut to the data: whole granules up to blockSize, the last one holds the rest.
          expect(list.blockLength(j)).toBeLessThanOrEqual(options.blockSize);
          if (j < list.numBlocks - 1) expect(list.blockLength(j) % granule).toBe(0);
          else expect(to).toBe(docs.length);
          expect(list.blockLastDoc(j)).toBe(docs[to - 1]);
          expect(list.blockMaxImpact(j)).toBe(Math.max(...impacts.subarray(from, to)));
          expect(list.findBlock(docs[from])).toBe(j);
          from = to;
        }
        if (list.hasRangeMaxima) {
          // The list's own range block is never finer than asked, and the superblock keeps its size.
          expect(list.rangeBlockBits).toBeGreaterThanOrEqual(options.rangeBlockBits);
          expect(list.rangeBlockBits + list.superBlockBits).toBe(
            options.rangeBlockBits + options.superBlockBits,
          );
          const expected = new Array(list.numRangeBlocks).fill(0);
          docs.forEach((d, i) => {
            const r = d >>> list.rangeBlockBits;
            expected[r] = Math.max(expected[r], impacts[i]);
          });
          expect(Array.from({ length: list.numRangeBlocks }, (_, r) => list.rangeMax(r))).toEqual(expected);
          for (let s = 0; s < list.numSuperBlocks; s++) {
            const from = s << list.superBlockBits;
            const group = expected.slice(from, from + 2 ** list.superBlockBits);
            expect(list.superMax(s)).toBe(Math.max(...group));
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('reaches 1 bit per doc gap for a dense list', () => {
    const n = 10_000;
    const docs = Uint32Array.from({ length: n }, (_, i) => i);
    const bytes = encodePostingList(docs, new Uint16Array(n).fill(1), n, { rangeMaximaMinDf: n + 1 });
    // width-0 gaps and width-0 impacts: only the 20-byte header, 7-byte skip entries and a 4-byte
    // start per further group of 16 blocks remain.
    const blocks = Math.ceil(n / 128);
    expect(bytes.length).toBe(20 + 7 * blocks + 4 * (Math.ceil(blocks / 16) - 1));
  });
});

describe('posting list format: invalid input and corrupt headers', () => {
  it('rejects invalid input with PostingsInputError naming the problem', () => {
    expect(() => encodePostingList(Uint32Array.of(3, 2), Uint16Array.of(1, 1), 10)).toThrow(
      PostingsInputError,
    );
    expect(() => encodePostingList(Uint32Array.of(10), Uint16Array.of(1), 10)).toThrow(/< numDocs/);
    expect(() => encodePostingList(Uint32Array.of(1), Uint16Array.of(0), 10)).toThrow(/impact must be >= 1/);
    expect(() => encodePostingList(Uint32Array.of(1), Uint16Array.of(1, 2), 10)).toThrow(/differ in length/);
    expect(() => encodePostingList(Uint32Array.of(1), Uint16Array.of(1), 10, { blockSize: 0 })).toThrow(
      /blockSize/,
    );
  });

  it('names what is wrong in a corrupt header', () => {
    const bytes = encodePostingList(Uint32Array.of(1, 5, 9), Uint16Array.of(3, 4, 5), 10);
    const badMagic = bytes.slice();
    badMagic[0] = 0;
    expect(() => PostingList.decode(badMagic)).toThrow(/bad magic/);
    const badVersion = bytes.slice();
    badVersion[2] = 9;
    expect(() => PostingList.decode(badVersion)).toThrow(/unsupported postings version 9/);
    expect(() => PostingList.decode(bytes.subarray(0, 10))).toThrow(/shorter than the 20-byte header/);
    const err = (() => {
      try {
        PostingList.decode(badMagic);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(CspladeError);
    expect((err as CspladeError).code).toBe('corrupt_postings');
  });
});

describe('posting list format: skip table checks', () => {
  it('names a version 2 skip table whose block counts do not add up', () => {
    // Two dense runs far apart: blocks of 64, 32 and 32 postings (see partition.test.ts).
    const docs = Uint32Array.from({ length: 128 }, (_, i) => (i < 64 ? i : 1_000_000 + i));
    const bytes = encodePostingList(docs, new Uint16Array(128).fill(1), 2_000_000, {
      rangeMaximaMinDf: 1000,
    });
    const list = PostingList.decode(bytes);
    expect(list.version).toBe(2);
    expect(Array.from({ length: list.numBlocks }, (_, j) => list.blockLength(j))).toEqual([64, 32, 32]);
    const view = new DataView(bytes.buffer);
    const countsAt = 20 + list.numBlocks * (4 + 1 + 1);
    // Skip entries are checked a group of 16 blocks at a time, when a block of the group is first
    // decoded: here by decodeBlock and decodeAll.
    const tooLong = bytes.slice();
    tooLong[countsAt] = 200; // 201 postings in a list whose blocks hold at most 128
    expect(() =>
      PostingList.decode(tooLong).decodeBlock(2, new Uint32Array(128), new Uint32Array(128)),
    ).toThrow(/block 0: 201 postings exceed the block size 128/);
    const short = bytes.slice();
    short[countsAt] = 31;
    expect(() => PostingList.decode(short).decodeAll()).toThrow(PostingsFormatError);
    const tooManyBlocks = bytes.slice();
    new DataView(tooManyBlocks.buffer).setUint16(18, 129, true);
    expect(() => PostingList.decode(tooManyBlocks)).toThrow(/129 blocks cannot hold df 128/);
    expect(view.getUint16(18, true)).toBe(3);
  });

  it('checks a group of skip entries when a block of it is first decoded, and only then', () => {
    const n = 5000;
    const docs = Uint32Array.from({ length: n }, (_, i) => 2 * i);
    const impacts = Uint16Array.from({ length: n }, (_, i) => 1 + (i % 200));
    const bytes = encodePostingList(docs, impacts, 2 * n, { blockSize: 32, rangeMaximaMinDf: n + 1 });
    const list = PostingList.decode(bytes);
    expect(list.numBlocks).toBe(Math.ceil(n / 32));
    // Block 90 (group 5) claims a last doc below its predecessor's.
    const corrupt = bytes.slice();
    new DataView(corrupt.buffer).setUint32(20 + 4 * 90, 3, true);
    const broken = PostingList.decode(corrupt);
    const d = new Uint32Array(32);
    const im = new Uint32Array(32);
    expect(broken.decodeBlock(3, d, im)).toBe(32);
    expect(Array.from(d.subarray(0, 3))).toEqual([192, 194, 196]);
    expect(() => broken.decodeBlock(81, d, im)).toThrow(/block 90: last doc 3 cannot follow/);
    expect(() => PostingList.decode(corrupt).decodeAll()).toThrow(PostingsFormatError);
  });

  it('keeps a block count of 0xffff or more after the header, and checks later groups from their stored starts', () => {
    const n = 70_000;
    const docs = Uint32Array.from({ length: n }, (_, i) => i);
    const impacts = Uint16Array.from({ length: n }, (_, i) => 1 + (i % 7));
    const bytes = encodePostingList(docs, impacts, n, { blockSize: 1, rangeMaximaMinDf: n + 1 });
    const view = new DataView(bytes.buffer);
    expect(view.getUint16(18, true)).toBe(0xffff);
    expect(view.getUint32(20, true)).toBe(n);
    const list = PostingList.decode(bytes);
    expect(list.numBlocks).toBe(n);
    const all = list.decodeAll();
    expect(all.docs[n - 1]).toBe(n - 1);
    expect(all.impacts[12345]).toBe(1 + (12345 % 7));
    // Group 1's stored start (the first u32 after the per-block columns) moved by one byte.
    const moved = bytes.slice();
    const groupStartsAt = 24 + n * (4 + 1 + 1 + 1);
    new DataView(moved.buffer).setUint32(groupStartsAt, view.getUint32(groupStartsAt, true) + 1, true);
    expect(() => PostingList.decode(moved).decodeAll()).toThrow(
      /block group 0 ends at byte \d+ but group 1 starts at/,
    );
  });
});

describe('posting list format: damaged blobs', () => {
  it('truncation at every offset is reported, never crashes', () => {
    const n = 700;
    const docs = Uint32Array.from({ length: n }, (_, i) => i * 3 + (i % 2));
    const impacts = Uint16Array.from({ length: n }, (_, i) => 1 + ((i * 37) % 300));
    const bytes = encodePostingList(docs, impacts, 3 * n, { rangeMaximaMinDf: 10, blockSize: 64 });
    for (let len = 0; len < bytes.length; len++)
      expect(decodeOrFormatError(bytes.subarray(0, len))).toBe('error');
    expect(decodeOrFormatError(bytes)).toBe('ok');
  });

  it('bit flips and random bytes give a valid list or PostingsFormatError', () => {
    fc.assert(
      fc.property(
        postingsArb,
        fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
        fc.constantFrom(16, 128),
        ({ numDocs, docs, impacts }, flips, blockSize) => {
          const bytes = encodePostingList(docs, impacts, numDocs, { blockSize, rangeMaximaMinDf: 4 });
          for (const f of flips) bytes[f % bytes.length] ^= 1 << (f % 8);
          decodeOrFormatError(bytes);
        },
      ),
      { numRuns: 400 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(0, 1, 2), (random, version) => {
        if (version > 0 && random.length >= 3) {
          random[0] = 0x50;
          random[1] = 0x4c;
          random[2] = version;
        }
        decodeOrFormatError(random);
      }),
      { numRuns: 500 },
    );
  });
});
