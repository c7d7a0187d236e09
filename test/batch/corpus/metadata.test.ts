/** metadataOf: the line's `metadata` as given, unknown fields joined to it, conflicts named. */
import { describe, expect, it } from 'vitest';
import { metadataOf } from '../../../batch/corpus/metadata.ts';

const KNOWN = new Set(['_id', 'id', 'title', 'text', 'url']);

describe('metadataOf', () => {
  it.each([
    [{ _id: 'a', text: 't' }, undefined],
    [{ _id: 'a', text: 't', metadata: null }, undefined],
    [{ _id: 'a', text: 't', metadata: {} }, {}],
    [{ _id: 'a', text: 't', metadata: { year: 2020 } }, { year: 2020 }],
    [{ _id: 'a', text: 't', metadata: [1, 2] }, [1, 2]],
    [{ _id: 'a', text: 't', metadata: 'x' }, 'x'],
    [{ _id: 'a', text: 't', lang: 'en' }, { lang: 'en' }],
    [
      { _id: 'a', text: 't', metadata: { year: 2020 }, lang: 'en' },
      { year: 2020, lang: 'en' },
    ],
    [{ _id: 'a', text: 't', metadata: null, lang: 'en' }, { lang: 'en' }],
  ])('%j → %j', (record, expected) => {
    const verdict = metadataOf(record as Record<string, unknown>, KNOWN);
    expect(verdict).toEqual(expected === undefined ? { ok: true } : { ok: true, metadata: expected });
  });

  it.each([
    [{ metadata: { lang: 'en' }, lang: 'de' }, /"lang" is both/],
    [{ metadata: 'x', lang: 'de' }, /is a string.*\(lang\)/],
    [{ metadata: [1], a: 1, b: 2 }, /is an array.*\(a, b\)/],
  ])('%j is refused: %s', (record, detail) => {
    const verdict = metadataOf({ _id: 'a', text: 't', ...record } as Record<string, unknown>, KNOWN);
    expect(verdict.ok).toBe(false);
    expect(!verdict.ok && verdict.detail).toMatch(detail);
  });

  it('keeps a "__proto__" key as a key, without touching any prototype', () => {
    const record = JSON.parse(
      '{"_id": "a", "text": "t", "metadata": {"x": 1}, "__proto__": {"polluted": true}}',
    );
    const verdict = metadataOf(record, KNOWN);
    expect(verdict.ok).toBe(true);
    const metadata = (verdict as { metadata: Record<string, unknown> }).metadata;
    expect(Object.keys(metadata)).toEqual(['x', '__proto__']);
    expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
