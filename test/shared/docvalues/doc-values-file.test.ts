/**
 * The doc-values file end to end without the edge: built from random metadata (and text), read back by
 * its head and sections, random filters compiled per shard equal the obvious evaluation of the filter
 * on each document's metadata; stored text comes back exactly; damaged bytes are typed errors.
 */
import { describe, expect, it } from 'vitest';
import { compileFilter, neededSections } from '../../../shared/docvalues/compile.ts';
import {
  buildDocValuesFile,
  checkedSection,
  DOC_VALUES_FOOTER_BYTES,
  decodeDocValuesHead,
  sectionRange,
  textBlockOf,
} from '../../../shared/docvalues/file.ts';
import { parseFilter } from '../../../shared/docvalues/filter.ts';
import { parseFilterableSpec } from '../../../shared/docvalues/schema.ts';
import { decodeTextBlock } from '../../../shared/docvalues/text-blocks.ts';
import { countDocs, docsOf } from '../../../shared/engine/doc-set.ts';
import { ShardFormatError } from '../../../shared/shard/errors.ts';
import { FILTER_SPEC, matches, randomFilter, randomMetadata, seeded } from './random-filters.ts';

const schema = parseFilterableSpec(FILTER_SPEC);

async function built(numDocs: number, seed: number, texts = false) {
  const rand = seeded(seed);
  const metadata = Array.from({ length: numDocs }, (_, i) => randomMetadata(rand, i));
  const text = texts ? metadata.map((_, i) => `document ${i} ${'word '.repeat(i % 50)}ünïcödé ✓`) : undefined;
  const file = await buildDocValuesFile({ metadata, schema, texts: text });
  const head = decodeDocValuesHead(
    file.bytes.subarray(file.head.offset, file.head.offset + file.head.length),
    file.head.crc,
    'f',
  );
  const section = (i: number) => {
    const r = sectionRange(head, i, 'f');
    return checkedSection(file.bytes.subarray(r.offset, r.offset + r.length), r, 'f');
  };
  return { metadata, text, file, head, section };
}

describe('doc-values file', () => {
  it('compiled random filters equal the filters evaluated on each document (600 filters)', async () => {
    const selectivities: number[] = [];
    for (const [numDocs, seed] of [
      [1, 1],
      [31, 2],
      [1000, 3],
      [2500, 4],
    ] as const) {
      const { metadata, head, section } = await built(numDocs, seed);
      const rand = seeded(seed * 7);
      for (let f = 0; f < 150; f++) {
        const filter = randomFilter(rand);
        const node = parseFilter(filter, schema);
        const needed = new Set(neededSections(node, head, 'f'));
        const set = compileFilter(
          node,
          head,
          (i) => {
            expect(needed.has(i), `section ${i} read but not planned`).toBe(true);
            return section(i);
          },
          'f',
        );
        const expected = metadata.flatMap((m, d) => (matches(filter, m) ? [d] : []));
        expect(Array.from(docsOf(set)), JSON.stringify(filter)).toEqual(expected);
        selectivities.push(countDocs(set) / numDocs);
      }
    }
    // The filters span the range the issue asks for: none or a handful of documents up to nearly all.
    expect(selectivities.some((s) => s === 0)).toBe(true);
    expect(selectivities.some((s) => s > 0 && s < 0.001)).toBe(true);
    expect(selectivities.some((s) => s > 0.9 && s < 1)).toBe(true);
  });

  it('records per field what it holds and what it ignored', async () => {
    const { head, metadata } = await built(500, 9);
    const lang = head.fields.find((f) => f.name === 'lang')!;
    expect(lang.values).toContain('en');
    expect(lang.ignored).toBe(metadata.filter((m) => typeof m.lang === 'number').length);
    const year = head.fields.find((f) => f.name === 'year')!;
    expect(year.encoding).toBe('i32');
    expect(head.fields.find((f) => f.name === 'score')!.encoding).toBe('f64');
  });

  it('stores text in compressed blocks that come back exactly', async () => {
    const { text, head, section, file } = await built(700, 5, true);
    expect(file.textBlocks).toBeGreaterThan(1);
    for (const doc of [0, 1, 350, 699]) {
      const block = textBlockOf(head, doc);
      const texts = await decodeTextBlock(section(head.text!.firstSection + block), 'f');
      expect(texts[doc - head.text!.firstDocs[block]]).toBe(text![doc]);
    }
    expect(textBlockOf(head, 700)).toBe(-1);
    // Repetitive text: compressed blocks are far smaller than the text they hold.
    expect(file.bytes.length).toBeLessThan(text!.join('').length / 2);
  });

  it('damaged heads and sections are typed errors naming the file', async () => {
    const { file, head } = await built(100, 6, true);
    const headBytes = file.bytes.slice(file.head.offset, file.head.offset + file.head.length);
    headBytes[3] ^= 0xff;
    expect(() => decodeDocValuesHead(headBytes, file.head.crc, 'k')).toThrow(ShardFormatError);
    const r = sectionRange(head, 0, 'k');
    const bytes = file.bytes.slice(r.offset, r.offset + r.length);
    bytes[0] ^= 1;
    expect(() => checkedSection(bytes, r, 'k')).toThrow(/checksum mismatch/);
    expect(() => sectionRange(head, 10_000, 'k')).toThrow(/no section/);
    await expect(decodeTextBlock(Uint8Array.of(1, 2, 3), 'k')).rejects.toThrow(ShardFormatError);
    expect(file.bytes.length).toBe(file.head.offset + file.head.length + DOC_VALUES_FOOTER_BYTES);
  });
});
