/**
 * Issue 14, case 8: corpus lines with a `__proto__` key or a non-string `url`. Such a line goes to the rejects
 * file with a reason that names the key (a `__proto__` key cannot be kept verbatim: copied into an object it
 * sets the prototype, and msgpack readers rename it), the run goes on, and every other document — including
 * keys like "constructor" or "toString" — is indexed with its metadata exactly as given.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { RejectsFile } from '../../../batch/corpus/rejects.node.ts';
import { openCorpus } from '../../../batch/corpus/sources.node.ts';
import { validateLine } from '../../../batch/corpus/validate.ts';
import { Bm25DocumentEncoder } from '../../../batch/pipeline/document-encoder.ts';
import { indexCorpus } from '../../../batch/pipeline/pipeline.ts';
import { loadManifest } from '../../../batch/publish/local-search.ts';
import { openShardSync } from '../../../shared/shard/reader.ts';
import { MemoryObjectStore } from '../../../shared/store/memory.ts';
import { tempDir, writeJsonl } from '../helpers/pipeline-fixtures.ts';

const dir = await tempDir('hostile-keys');
afterAll(() => dir.remove());
const utf8 = new TextEncoder();
const line = (text: string) => ({ lineNumber: 1, bytes: utf8.encode(text), tooLong: false });

describe('corpus lines with prototype keys and non-string urls', () => {
  it('rejects a __proto__ key at any depth, naming where it is', () => {
    for (const [text, at] of [
      ['{"_id":"p1","text":"x","__proto__":{"polluted":true}}', '__proto__'],
      ['{"_id":"p2","text":"x","__proto__":5}', '__proto__'],
      ['{"_id":"p3","text":"x","extra":{"a":{"__proto__":{"b":1}}}}', 'extra.a.__proto__'],
      ['{"_id":"p4","text":"x","tags":[{"__proto__":1}]}', 'tags[0].__proto__'],
    ] as const) {
      const verdict = validateLine(line(text));
      expect(verdict.ok, text).toBe(false);
      if (!verdict.ok) {
        expect(verdict.reason).toBe('reserved_key');
        expect(verdict.detail).toContain(`(at ${at})`);
      }
    }
    // Nothing leaked into Object.prototype along the way.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rejects a url that is not a string, and keeps a string url', () => {
    for (const url of ['42', 'true', '["https://a"]', '{"href":"https://a"}']) {
      const verdict = validateLine(line(`{"_id":"u","text":"x","url":${url}}`));
      expect(verdict.ok).toBe(false);
      if (!verdict.ok) {
        expect(verdict.reason).toBe('non_string_url');
        expect(verdict.detail).toMatch(/"url" is (a number|a boolean|an array|a object), expected a string/);
      }
    }
    const ok = validateLine(line('{"_id":"u","text":"x","url":"https://a"}'));
    expect(ok.ok && ok.doc.url).toBe('https://a');
    const absent = validateLine(line('{"_id":"u","text":"x","url":null}'));
    expect(absent.ok && absent.doc.url).toBeUndefined();
  });

  it('indexes everything else with metadata verbatim and writes the bad lines to the rejects file', async () => {
    const corpus = await writeJsonl(`${dir.path}/corpus.jsonl`, [
      '{"_id":"good-1","text":"alpha beta gamma","constructor":"c","toString":"t","hasOwnProperty":1}',
      '{"_id":"proto-top","text":"alpha delta","__proto__":{"isAdmin":true}}',
      '{"_id":"proto-deep","text":"beta delta","meta":{"x":[{"__proto__":{"y":1}}]}}',
      '{"_id":"bad-url","text":"gamma delta","url":12345}',
      '{"_id":"good-2","text":"delta epsilon","url":"https://example.org/2","nested":{"valueOf":"v"}}',
    ]);
    const store = new MemoryObjectStore();
    const rejects = await RejectsFile.create(`${dir.path}/rejects.jsonl`);
    const summary = await indexCorpus({
      store,
      index: 'hostile',
      run: 'r1',
      corpus: await openCorpus(corpus),
      encoder: new Bm25DocumentEncoder(),
      rejects,
    });
    await rejects.close();
    expect(summary.documents).toMatchObject({ read: 5, rejected: 3, indexed: 2 });
    const rejected = (await readFile(`${dir.path}/rejects.jsonl`, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rejected.map((r) => [r.line, r.id, r.reason])).toEqual([
      [2, 'proto-top', 'reserved_key'],
      [3, 'proto-deep', 'reserved_key'],
      [4, 'bad-url', 'non_string_url'],
    ]);
    expect(rejected[1].detail).toContain('meta.x[0].__proto__');

    const manifest = await loadManifest(store, 'hostile');
    const stored = [];
    for (const entry of manifest.shards) {
      const shard = openShardSync(entry.key, (await store.get(entry.key))!.bytes);
      stored.push(...shard.storedFieldsSync(Array.from({ length: shard.numDocs }, (_, d) => d)));
    }
    const byId = Object.fromEntries(stored.map((s) => [s.externalId, s]));
    expect(Object.keys(byId).sort()).toEqual(['good-1', 'good-2']);
    expect(byId['good-1'].metadata).toEqual({ constructor: 'c', toString: 't', hasOwnProperty: 1 });
    expect(byId['good-2'].url).toBe('https://example.org/2');
    expect(byId['good-2'].metadata).toEqual({ nested: { valueOf: 'v' } });
  });
});
