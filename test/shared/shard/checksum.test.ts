import { crc32 as zlibCrc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../../shared/shard/checksum.ts';

describe('crc32', () => {
  it('matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('equals zlib for any bytes, and continues across chunks', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(300), (bytes, cut) => {
        const expected = zlibCrc32(bytes) >>> 0;
        expect(crc32(bytes)).toBe(expected);
        const at = Math.min(cut, bytes.length);
        expect(crc32(bytes.subarray(at), crc32(bytes.subarray(0, at)))).toBe(expected);
      }),
    );
  });
});
