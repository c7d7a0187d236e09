/**
 * `csplade index --filterable … --store-text` through the CLI: every shard gets a doc-values file, named
 * in the manifest with the schema and the stored-text flag, verified at publish (size and checksum);
 * its filter structures hold what each document's metadata says (in the shard's placed order) and its
 * text blocks each document's text; wrongly typed values are counted, not fatal; a bad --filterable
 * spec is a usage error naming the flag. The distributed verbs (encode, then build) do the same.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadManifest } from '../../../batch/publish/local-search.ts';
import { compileFilter } from '../../../shared/docvalues/compile.ts';
import {
  checkedSection,
  decodeDocValuesHead,
  sectionRange,
  textBlockOf,
} from '../../../shared/docvalues/file.ts';
import { parseFilter } from '../../../shared/docvalues/filter.ts';
import { decodeTextBlock } from '../../../shared/docvalues/text-blocks.ts';
import { docsOf } from '../../../shared/engine/doc-set.ts';
import type { IndexManifest } from '../../../shared/index/manifest.ts';
import { openShard } from '../../../shared/shard/reader.ts';
import { LocalFolderObjectStore } from '../../../shared/store/local-folder.node.ts';
import { csplade as run } from '../helpers/cli.ts';
import { tempDir, writeJsonl } from '../helpers/pipeline-fixtures.ts';

const dir = await tempDir('docvalues');
afterAll(() => dir.remove());
const csplade = (...argv: string[]) => run(argv, { cwd: dir.path });

const LANGS = ['en', 'de', 'fr'];
const records = Array.from({ length: 120 }, (_, i) => ({
  _id: `doc-${i}`,
  title: `Title ${i}`,
  text: `document number ${i} about ${['whales', 'volcanoes', 'violins'][i % 3]} and ${'more words '.repeat(i % 7)}`,
  metadata: { lang: LANGS[i % 3], year: i === 5 ? 'unknown' : 2000 + (i % 25), draft: i % 4 === 0 },
}));

/** Each document's doc set membership and text, read back from the files of a published version. */
async function readBack(store: LocalFolderObjectStore, manifest: IndexManifest, filter: unknown) {
  const matched: string[] = [];
  const texts = new Map<string, string>();
  for (const shard of manifest.shards) {
    const entry = shard.docValues!;
    const file = (await store.get(entry.key))!.bytes;
    const head = decodeDocValuesHead(
      file.subarray(entry.head.offset, entry.head.offset + entry.head.length),
      entry.head.crc,
      entry.key,
    );
    const section = (i: number) => {
      const r = sectionRange(head, i, entry.key);
      return checkedSection(file.subarray(r.offset, r.offset + r.length), r, entry.key);
    };
    const shardBytes = (await store.get(shard.key))!.bytes;
    const reader = await openShard(
      { name: shard.key, size: shardBytes.length, read: async (o, l) => shardBytes.subarray(o, o + l) },
      { hotOffset: shard.hotRegion.offset, hotLength: shard.hotRegion.length },
    );
    const set = compileFilter(parseFilter(filter, manifest.filterable ?? {}), head, section, entry.key);
    for (const d of docsOf(set)) matched.push(reader.externalId(d));
    for (let d = 0; d < shard.numDocs; d++) {
      const block = textBlockOf(head, d);
      const blockTexts = await decodeTextBlock(section(head.text!.firstSection + block), entry.key);
      texts.set(reader.externalId(d), blockTexts[d - head.text!.firstDocs[block]]);
    }
  }
  return { matched: matched.sort(), texts };
}

describe('doc values from the pipeline', () => {
  it('index --filterable --store-text writes, records and verifies them', async () => {
    const corpus = await writeJsonl(`${dir.path}/corpus.jsonl`, records);
    const result = await csplade(
      'index',
      '--corpus',
      corpus,
      '--store',
      'store',
      '--index',
      'dv',
      '--shards',
      '3',
      '--filterable',
      'lang:keyword,year:number,draft:boolean',
      '--store-text',
      '--json',
      '--no-progress',
    );
    expect(result.code, result.stderr).toBe(0);
    const store = new LocalFolderObjectStore(`${dir.path}/store`);
    const manifest = await loadManifest(store, 'dv');
    expect(manifest.filterable).toEqual({ lang: 'keyword', year: 'number', draft: 'boolean' });
    expect(manifest.storedText).toBe(true);
    expect(manifest.shards.every((s) => s.docValues?.key.endsWith('.docvalues'))).toBe(true);
    expect(manifest.stats.filterable).toMatchObject({
      year: { type: 'number', documents: 119, ignored: 1 },
      lang: { documents: 120, ignored: 0 },
    });
    const filter = { and: [{ lang: 'de' }, { year: { gte: 2010 } }, { not: { draft: true } }] };
    const { matched, texts } = await readBack(store, manifest, filter);
    const expected = records
      .filter(
        (r) => r.metadata.lang === 'de' && typeof r.metadata.year === 'number' && r.metadata.year >= 2010,
      )
      .filter((r) => !r.metadata.draft)
      .map((r) => r._id)
      .sort();
    expect(matched).toEqual(expected);
    expect(expected.length).toBeGreaterThan(5);
    for (const r of records) expect(texts.get(r._id)).toBe(r.text);
  });

  it('encode --store-text then build --filterable does the same in two steps', async () => {
    const corpus = await writeJsonl(`${dir.path}/corpus2.jsonl`, records.slice(0, 40));
    const common = ['--store', 'store2', '--index', 'dv2', '--run', 'r1', '--no-progress'];
    const encoded = await csplade('encode', '--corpus', corpus, ...common, '--store-text');
    expect(encoded.code, encoded.stderr).toBe(0);
    const built = await csplade('publish', ...common, '--filterable', 'lang:keyword');
    expect(built.code, built.stderr).toBe(0);
    const store = new LocalFolderObjectStore(`${dir.path}/store2`);
    const manifest = await loadManifest(store, 'dv2');
    expect(manifest.storedText).toBe(true);
    const { matched, texts } = await readBack(store, manifest, { lang: ['en', 'fr'] });
    expect(matched).toEqual(
      records
        .slice(0, 40)
        .filter((r) => r.metadata.lang !== 'de')
        .map((r) => r._id)
        .sort(),
    );
    expect(texts.get('doc-7')).toBe(records[7].text);
  });

  it('a bad --filterable is a usage error naming the flag', async () => {
    const result = await csplade('index', '--corpus', 'x.jsonl', '--index', 'x', '--filterable', 'lang:text');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--filterable/);
    expect(result.stderr).toMatch(/keyword, number, boolean, date/);
  });
});

describe('csplade verify and doc values', () => {
  it('finds a damaged or missing doc-values file', async () => {
    const corpus = await writeJsonl(`${dir.path}/corpus3.jsonl`, records.slice(0, 30));
    const common = ['--store', 'store3', '--index', 'dv3'];
    const indexed = await csplade(
      'index',
      '--corpus',
      corpus,
      ...common,
      '--filterable',
      'lang:keyword',
      '--no-progress',
    );
    expect(indexed.code, indexed.stderr).toBe(0);
    expect((await csplade('verify', ...common)).code).toBe(0);
    const store = new LocalFolderObjectStore(`${dir.path}/store3`);
    const manifest = await loadManifest(store, 'dv3');
    const key = manifest.shards[0].docValues!.key;
    const bytes = new Uint8Array((await store.get(key))!.bytes);
    bytes[0] ^= 0xff;
    await store.put(key, bytes);
    const damaged = await csplade('verify', ...common, '--json');
    expect(damaged.code).toBe(1);
    expect(damaged.stdout).toContain('doc values of shard 0 do not have checksum');
    await store.delete(key);
    const missing = await csplade('verify', ...common, '--json');
    expect(missing.stdout).toContain('doc values of shard 0 do not exist');
  });
});
