/**
 * Fuzzing the shard decoders: random bytes, bit flips anywhere, truncation, wrong magic/version,
 * and corruption with every checksum recomputed (to reach the decoders behind the CRCs). The only
 * acceptable failures are ShardFormatError and UnsupportedShardVersionError; a damaged shard that
 * still opens must read back exactly what was written.
 */
import fc from 'fast-check';
import { Unpackr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { bytesSource } from '../../../shared/io/byte-source.ts';
import { PostingsFormatError } from '../../../shared/postings/format.ts';
import {
  crc32,
  FOOTER_BYTES,
  openShard,
  openShardSync,
  SHARD_FORMAT_VERSION,
  ShardFormatError,
  type ShardReader,
  UnsupportedShardVersionError,
  writeShard,
} from '../../../shared/shard/index.ts';
import { fixedShardInput } from './fixed-corpus.ts';

const written = writeShard(
  fixedShardInput({
    seed: 7,
    numDocs: 40,
    vocab: 120,
    termsPerDoc: 12,
    impactBits: 9,
    ids: 'strings',
    stored: true,
  }),
);
const original = written.bytes;
const reference = openShardSync('fuzz', original);
const layout = reference.layout;
const hint = { hotOffset: layout.hot.offset, hotLength: layout.hot.length };

/** Everything a reader can return, as plain data. */
function snapshotSync(r: ReturnType<typeof openShardSync>): unknown {
  const terms = Array.from(r.terms);
  const postings = r.postingsSync(terms);
  return {
    stats: r.stats,
    postings: terms.map((t) => {
      const all = postings.get(t)!.decodeAll();
      return [t, r.termInfo(t), Array.from(all.docs), Array.from(all.impacts)];
    }),
    ids: Array.from({ length: r.numDocs }, (_, d) => r.externalId(d)),
    stored: r.hasStoredFields ? r.storedFieldsSync(Array.from({ length: r.numDocs }, (_, d) => d)) : null,
  };
}

async function snapshotAsync(r: ShardReader): Promise<unknown> {
  const terms = Array.from(r.terms);
  const postings = await r.loadPostings(terms);
  return {
    stats: r.stats,
    postings: terms.map((t) => {
      const all = postings.get(t)!.decodeAll();
      return [t, r.termInfo(t), Array.from(all.docs), Array.from(all.impacts)];
    }),
    ids: Array.from({ length: r.numDocs }, (_, d) => r.externalId(d)),
    stored: r.hasStoredFields ? await r.storedFields(Array.from({ length: r.numDocs }, (_, d) => d)) : null,
  };
}

const expected = snapshotSync(reference);

function isTyped(e: unknown): boolean {
  return e instanceof ShardFormatError || e instanceof UnsupportedShardVersionError;
}

/** Reads everything from `bytes` every way; returns 'error' (typed) or the snapshots. */
async function readAllWays(bytes: Uint8Array, withHint = true): Promise<unknown[] | 'error'> {
  const results: unknown[] = [];
  let errors = 0;
  const attempts: (() => Promise<unknown>)[] = [
    async () => snapshotSync(openShardSync('fuzz', bytes)),
    async () => snapshotAsync(await openShard(bytesSource('fuzz', bytes))),
  ];
  if (withHint) {
    // storedTableCacheBytes 0: stored-field entries are read per hit instead of the whole table.
    const options = { storedTableCacheBytes: 0 };
    attempts.push(async () => snapshotAsync(await openShard(bytesSource('fuzz', bytes), hint, options)));
  }
  for (const attempt of attempts) {
    try {
      results.push(await attempt());
    } catch (e) {
      if (!isTyped(e)) throw e;
      expect((e as Error).message).toContain('shard fuzz: ');
      errors++;
    }
  }
  if (errors === attempts.length) return 'error';
  return results;
}

/** File bytes that no checksum covers: alignment padding between the regions before the hot region. */
function isPadding(pos: number): boolean {
  const regions = [layout.postings, layout.storedRecords, layout.storedTable, layout.hot, layout.footer];
  return !regions.some((r) => r !== null && pos >= r.offset && pos < r.offset + r.length);
}

describe('shard decoders under corruption', () => {
  it('reads the undamaged shard back', async () => {
    expect(await readAllWays(original)).toEqual([expected, expected, expected]);
  });

  it('rejects random bytes with a typed error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), fc.boolean(), async (bytes, withTail) => {
        // withTail: end in a valid version + magic so decoding gets past the first check.
        const input = withTail
          ? Uint8Array.from([...bytes, ...original.subarray(original.length - 12)])
          : bytes;
        expect(await readAllWays(input, false)).toBe('error');
      }),
      { numRuns: 300 },
    );
  });

  it('detects a flipped bit in every byte outside alignment padding', async () => {
    let undetected = 0;
    for (let pos = 0; pos < original.length; pos++) {
      const bytes = original.slice();
      bytes[pos] ^= 1 << (pos % 8);
      const result = await readAllWays(bytes);
      if (isPadding(pos)) {
        expect(result, `padding byte ${pos}`).toEqual([expected, expected, expected]);
        undetected++;
      } else {
        expect(result, `byte ${pos}`).toBe('error');
      }
    }
    expect(undetected).toBeLessThan(24);
  });

  it('gives a typed error or the exact contents after random multi-byte damage', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(original.length - 1), fc.integer({ min: 1, max: 255 })), {
          minLength: 1,
          maxLength: 8,
        }),
        async (edits) => {
          const bytes = original.slice();
          for (const [pos, x] of edits) bytes[pos] ^= x;
          const result = await readAllWays(bytes);
          if (result !== 'error') for (const r of result) expect(r).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('shard decoders under truncation, bad headers and recomputed checksums', () => {
  it('rejects truncation at every region boundary and at random offsets', async () => {
    const cuts = new Set<number>([0, 1, FOOTER_BYTES - 1, FOOTER_BYTES, original.length - 1]);
    for (const r of [layout.postings, layout.storedRecords, layout.storedTable, layout.hot, layout.footer]) {
      if (!r) continue;
      for (const at of [r.offset, r.offset + r.length]) for (const d of [-1, 0, 1]) cuts.add(at + d);
    }
    for (let i = 0; i < 40; i++) cuts.add(Math.floor((i / 40) * original.length));
    for (const cut of cuts) {
      if (cut < 0 || cut >= original.length) continue;
      expect(await readAllWays(original.subarray(0, cut)), `cut at ${cut}`).toBe('error');
    }
  });

  it('rejects truncation at any random offset, and appended bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(original.length - 1), async (cut) => {
        expect(await readAllWays(original.subarray(0, cut))).toBe('error');
      }),
      { numRuns: 200 },
    );
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 100 }), async (extra) => {
        expect(await readAllWays(Uint8Array.from([...original, ...extra]), false)).toBe('error');
      }),
      { numRuns: 50 },
    );
  });

  it('names a bad magic and an unknown version', async () => {
    const badMagic = original.slice();
    badMagic[original.length - 1] ^= 0xff;
    expect(() => openShardSync('s', badMagic)).toThrow(/shard s: footer: bad magic/);
    for (const version of [0, SHARD_FORMAT_VERSION + 1, 0xffffffff]) {
      const bytes = original.slice();
      new DataView(bytes.buffer).setUint32(original.length - 12, version, true);
      expect(() => openShardSync('s', bytes)).toThrow(UnsupportedShardVersionError);
      await expect(openShard(bytesSource('s', bytes), hint)).rejects.toMatchObject({
        code: 'unsupported_shard_version',
        version,
      });
    }
  });

  it('rejects a manifest hint that disagrees with the footer', async () => {
    await expect(
      openShard(bytesSource('s', original), { hotOffset: hint.hotOffset + 8, hotLength: hint.hotLength - 8 }),
    ).rejects.toBeInstanceOf(ShardFormatError);
  });

  it('never fails with anything but a typed error when checksums are recomputed after damage', async () => {
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(original.length - FOOTER_BYTES - 1), fc.integer({ min: 1, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        async (edits) => {
          const bytes = original.slice();
          for (const [pos, x] of edits) bytes[pos] ^= x;
          reseal(bytes);
          try {
            const r = openShardSync('fuzz', bytes);
            snapshotSync(r);
            outcomes.set('read', (outcomes.get('read') ?? 0) + 1);
          } catch (e) {
            const key = e instanceof ShardFormatError ? e.section.replace(/[0-9]+/, 'N') : (e as Error).name;
            outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
            if (e instanceof PostingsFormatError) return; // decodeAll of a blob whose CRC we forged
            if (!isTyped(e)) throw e;
            if (e instanceof ShardFormatError && e.section.startsWith('postings') && e.cause) {
              // The postings decoder itself must fail with its own typed error, not a crash.
              expect(e.cause).toBeInstanceOf(PostingsFormatError);
            }
          }
        },
      ),
      { numRuns: 1500 },
    );
    // The damage must reach past the checksums: some shards read, others fail in several sections.
    expect(outcomes.get('read')).toBeGreaterThan(0);
    expect(outcomes.size).toBeGreaterThan(3);
  });
});

/**
 * Recomputes every checksum of a damaged copy of `original` at the original positions: blob CRCs
 * in the dictionary, record CRCs in the stored table, then the table, hot-region and footer CRCs.
 */
function reseal(bytes: Uint8Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hot = layout.hot.offset;
  const headerLength = new DataView(original.buffer).getUint32(hot, true);
  const header = new Unpackr({ useRecords: false, moreTypes: true }).unpack(
    original.subarray(hot + 4, hot + 4 + headerLength),
  ) as { sections: Record<string, [number, number]> };
  const dataStart = hot + Math.ceil((4 + headerLength) / 8) * 8;
  const crcColumn = dataStart + header.sections['dict.crc'][0];
  const terms = Array.from(reference.terms);
  terms.forEach((t, i) => {
    const info = reference.termInfo(t)!;
    view.setUint32(crcColumn + 4 * i, crc32(bytes.subarray(info.offset, info.offset + info.length)), true);
  });
  const table = layout.storedTable!;
  const records = layout.storedRecords!;
  const n = reference.numDocs;
  const originalView = new DataView(original.buffer);
  for (let d = 0; d < n; d++) {
    const from = records.offset + originalView.getUint32(table.offset + 8 * d, true);
    const to = records.offset + originalView.getUint32(table.offset + 8 * (d + 1), true);
    view.setUint32(table.offset + 8 * d + 4, crc32(bytes.subarray(from, to)), true);
  }
  const footer = layout.footer.offset;
  view.setUint32(footer + 20, crc32(bytes.subarray(table.offset, table.offset + table.length)), true);
  view.setUint32(footer + 16, crc32(bytes.subarray(hot, hot + layout.hot.length)), true);
  view.setUint32(footer + 32, crc32(bytes.subarray(footer, footer + 32)), true);
}
