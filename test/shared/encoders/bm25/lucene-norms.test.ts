import { describe, expect, it } from 'vitest';
import { byte4ToInt, intToByte4, luceneLength } from '../../../../shared/encoders/bm25/lucene-norms.ts';

describe('Lucene SmallFloat norms', () => {
  it('stores lengths below 24 exactly', () => {
    for (let length = 0; length < 24; length++) {
      expect(intToByte4(length)).toBe(length);
      expect(luceneLength(length)).toBe(length);
    }
  });

  it('keeps 4 significant bits above (hand-computed codes)', () => {
    // 100 − 24 = 76 = 0b1001100 → top bits 1001, shift 3 → code 24 + (1 | 4 << 3) = 57 → 24 + 9·8 = 96
    expect(intToByte4(100)).toBe(57);
    expect(byte4ToInt(57)).toBe(96);
    // 300 − 24 = 276 = 0b100010100 → top bits 1000, shift 5 → code 24 + 48 = 72 → 24 + 8·32 = 280
    expect(intToByte4(300)).toBe(72);
    expect(byte4ToInt(72)).toBe(280);
  });

  it('maps the largest int to byte 255, which decodes to 2,013,265,944', () => {
    expect(intToByte4(0x7fffffff)).toBe(255);
    expect(byte4ToInt(255)).toBe(2_013_265_944);
    expect(byte4ToInt(-1)).toBe(2_013_265_944); // a signed Java byte reads the same
  });

  it('is monotone and every byte round-trips through its decoded length', () => {
    let previous = -1;
    for (let code = 0; code < 256; code++) {
      const length = byte4ToInt(code);
      expect(length).toBeGreaterThan(previous);
      expect(intToByte4(length)).toBe(code);
      previous = length;
    }
  });

  it('never rounds a length up', () => {
    for (let length = 0; length < 5000; length += 7) expect(luceneLength(length)).toBeLessThanOrEqual(length);
  });

  it('refuses negative or fractional lengths', () => {
    expect(() => intToByte4(-1)).toThrow(RangeError);
    expect(() => intToByte4(2.5)).toThrow(/not a non-negative 32-bit integer/);
  });
});
