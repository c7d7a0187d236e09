import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, Fnv1a64, fingerprintOf } from '../../../shared/encoders/fingerprint.ts';

describe('FNV-1a 64', () => {
  it('gives the published test vectors', () => {
    expect(new Fnv1a64().updateString('').hex()).toBe('cbf29ce484222325');
    expect(new Fnv1a64().updateString('a').hex()).toBe('af63dc4c8601ec8c');
    expect(new Fnv1a64().updateString('foobar').hex()).toBe('85944171f73967e8');
  });

  it('is the same fed at once or in pieces', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(200), (bytes, cut) => {
        const at = Math.min(cut, bytes.length);
        const whole = new Fnv1a64().update(bytes).hex();
        const pieces = new Fnv1a64().update(bytes.subarray(0, at)).update(bytes.subarray(at)).hex();
        expect(pieces).toBe(whole);
      }),
    );
  });
});

describe('canonical JSON and fingerprints', () => {
  it('sorts keys at every level and omits undefined members', () => {
    expect(canonicalJson({ b: 1, a: [true, { d: null, c: 'x' }], u: undefined })).toBe(
      '{"a":[true,{"c":"x","d":null}],"b":1}',
    );
  });

  it('does not depend on key order', () => {
    expect(fingerprintOf({ k1: 0.9, b: 0.4, tokenizer: 'llama3' })).toBe(
      fingerprintOf({ tokenizer: 'llama3', b: 0.4, k1: 0.9 }),
    );
  });

  it('changes when any value changes', () => {
    const base = { encoder: 'bm25', k1: 0.9, b: 0.4, tokenizer: 'bert-base-uncased' };
    const fingerprints = new Set([
      fingerprintOf(base),
      fingerprintOf({ ...base, k1: 1.2 }),
      fingerprintOf({ ...base, b: 0.75 }),
      fingerprintOf({ ...base, tokenizer: 'llama3' }),
      fingerprintOf({ ...base, extra: true }),
    ]);
    expect(fingerprints.size).toBe(5);
    expect(fingerprintOf(base)).toMatch(/^fnv1a64:[0-9a-f]{16}$/);
  });

  it('refuses values JSON cannot represent', () => {
    expect(() => canonicalJson({ k1: Number.NaN })).toThrow(/has no JSON form/);
    expect(() => canonicalJson(() => 1)).toThrow(/function has no JSON form/);
  });
});
