/** Key rules and the listing order shared by every backend. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidKeyError } from '../../../shared/store/errors.ts';
import { assertValidKey, compareKeys } from '../../../shared/store/keys.ts';

const utf8Compare = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

describe('compareKeys', () => {
  it('orders by code point like S3 and R2 (UTF-8 bytes), not by UTF-16 units like <', () => {
    const replacement = '\uFFFD'; // U+FFFD
    const emoji = '😀'; // U+1F600, stored as surrogates D83D DE00
    expect(replacement < emoji).toBe(false); // JavaScript's own order gets this wrong
    expect(compareKeys(replacement, emoji)).toBeLessThan(0);
    expect(compareKeys('a/b', 'a/b')).toBe(0);
    expect(compareKeys('a', 'a/')).toBeLessThan(0);
  });

  it('agrees with UTF-8 byte order on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        expect(Math.sign(compareKeys(a, b))).toBe(Math.sign(utf8Compare(a, b)));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('assertValidKey', () => {
  it('accepts relative paths of clean segments', () => {
    for (const key of ['a', 'a/b/c', 'indexes/demo/v1/shard-0.bin', 'é/日本/😀', '.hidden/x', 'a..b']) {
      expect(() => assertValidKey('test', key)).not.toThrow();
    }
  });

  it('names what is wrong with a refused key', () => {
    expect(() => assertValidKey('test', '')).toThrow(/empty/);
    expect(() => assertValidKey('test', 'a//b')).toThrow(/empty segment/);
    expect(() => assertValidKey('test', 'a/../b')).toThrow(/"\.\." segment/);
    expect(() => assertValidKey('test', 'a\\b')).toThrow(/backslash/);
    expect(() => assertValidKey('test', 'a\0b')).toThrow(/NUL/);
    expect(() => assertValidKey('test', 'x'.repeat(1025))).toThrow(/1024/);
    expect(() => assertValidKey('test', '')).toThrow(InvalidKeyError);
  });
});
