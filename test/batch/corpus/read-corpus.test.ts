/**
 * Corpus input: JSONL, JSONL.gz and BEIR folders read as streams; every kind of bad line lands in the
 * rejects file with its line number and reason, and nowhere else; good lines around it are all kept.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { CorpusNotFoundError, CorpusReadError } from '../../../batch/corpus/errors.ts';
import { splitLines } from '../../../batch/corpus/lines.ts';
import { type RejectedLine, readCorpus } from '../../../batch/corpus/read-corpus.ts';
import { RejectsFile } from '../../../batch/corpus/rejects.node.ts';
import { openCorpus } from '../../../batch/corpus/sources.node.ts';
import { MemoryObjectStore } from '../../../shared/store/memory.ts';
import { prefixed } from '../../../shared/store/prefixed.ts';
import { SAMPLE_CORPUS, tempDir } from '../helpers/pipeline-fixtures.ts';

const dir = await tempDir('corpus');
afterAll(() => dir.remove());
const utf8 = new TextEncoder();

async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
}

async function collect(bytes: Uint8Array, chunkSize = 7) {
  const rejects: RejectedLine[] = [];
  const docs = [];
  for await (const doc of readCorpus(chunked(bytes, chunkSize), { onReject: (r) => void rejects.push(r) }))
    docs.push(doc);
  return { docs, rejects };
}

const BAD_CORPUS: (string | Uint8Array)[] = [
  '{"_id":"a","title":"Alpha","text":"first good document","url":"https://a","lang":"en"}',
  '{"_id":"b","text":',
  '{"title":"no id","text":"x"}',
  '{"_id":"c"}',
  '{"_id":"d","text":42}',
  '{"_id":"a","text":"duplicate of a"}',
  '{"_id":"e","text":"   "}',
  Uint8Array.from([...utf8.encode('{"_id":"f","text":"bad '), 0xff, 0xfe, ...utf8.encode('"}')]),
  '[1,2,3]',
  '',
  '{"id":7,"text":"numeric id is fine"}\r',
  '{"_id":"g","text":"last good document"}',
];

function corpusBytes(lines: readonly (string | Uint8Array)[]): Uint8Array {
  const parts = lines.map((l) => (typeof l === 'string' ? utf8.encode(l) : l));
  const total = parts.reduce((n, p) => n + p.length + 1, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
    out[at++] = 0x0a;
  }
  return out;
}

describe('readCorpus', () => {
  it('keeps every good line and rejects each bad one with its line number and reason', async () => {
    for (const chunkSize of [1, 7, 1 << 16]) {
      const { docs, rejects } = await collect(corpusBytes(BAD_CORPUS), chunkSize);
      expect(docs.map((d) => [d.id, d.lineNumber])).toEqual([
        ['a', 1],
        ['7', 11],
        ['g', 12],
      ]);
      expect(docs[0]).toMatchObject({ title: 'Alpha', url: 'https://a', metadata: { lang: 'en' } });
      expect(rejects.map((r) => [r.lineNumber, r.reason])).toEqual([
        [2, 'invalid_json'],
        [3, 'missing_id'],
        [4, 'missing_text'],
        [5, 'non_string_text'],
        [6, 'duplicate_id'],
        [7, 'empty_text'],
        [8, 'invalid_utf8'],
        [9, 'not_an_object'],
      ]);
    }
  });

  it('reports an over-long line without holding it in memory, and goes on', async () => {
    const long = `{"_id":"long","text":"${'x'.repeat(5000)}"}`;
    const lines: string[] = ['{"_id":"1","text":"a"}', long, '{"_id":"2","text":"b"}'];
    const rejects: RejectedLine[] = [];
    const ids: string[] = [];
    for await (const d of readCorpus(chunked(corpusBytes(lines), 100), {
      onReject: (r) => void rejects.push(r),
      maxLineBytes: 1000,
    })) {
      ids.push(d.id);
    }
    expect(ids).toEqual(['1', '2']);
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({ lineNumber: 2, reason: 'line_too_long' });
    expect(rejects[0].raw.length).toBe(1000);
  });

  it('handles a last line without a newline', async () => {
    const lines = [];
    for await (const line of splitLines(chunked(utf8.encode('{"a":1}\n{"b":2}'), 3)))
      lines.push(line.lineNumber);
    expect(lines).toEqual([1, 2]);
  });
});

describe('RejectsFile', () => {
  it('writes one JSON line per bad line (line, reason, raw truncated), and only the bad lines', async () => {
    const path = `${dir.path}/rejects.jsonl`;
    const file = await RejectsFile.create(path, 20);
    const { docs } = await (async () => {
      const kept = [];
      for await (const d of readCorpus(chunked(corpusBytes(BAD_CORPUS), 5), { onReject: (r) => file.add(r) }))
        kept.push(d);
      return { docs: kept };
    })();
    await file.close();
    const records = (await readFile(path, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records.map((r) => r.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(file.count).toBe(8);
    expect(records[0]).toMatchObject({ line: 2, reason: 'invalid_json', raw: '{"_id":"b","text":' });
    expect(records[4]).toMatchObject({ reason: 'duplicate_id', id: 'a', truncated: true });
    expect(records[4].raw).toHaveLength(20);
    // No rejected id reached the documents; no good id reached the rejects.
    const goodIds = new Set(docs.map((d) => d.id));
    expect(
      records.filter((r) => r.id !== undefined && r.reason !== 'duplicate_id' && goodIds.has(r.id)),
    ).toEqual([]);
  });
});

describe('RejectsFile without rejects', () => {
  it('leaves no file behind for a clean corpus', async () => {
    const file = await RejectsFile.create(`${dir.path}/clean/rejects.jsonl`);
    await file.close();
    await expect(readFile(`${dir.path}/clean/rejects.jsonl`)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(file.count).toBe(0);
  });
});

describe('openCorpus', () => {
  it('reads plain JSONL, gzip (by magic, whatever the name) and BEIR folders alike', async () => {
    const plain = await readFile(SAMPLE_CORPUS);
    await mkdir(`${dir.path}/beir`, { recursive: true });
    await writeFile(`${dir.path}/beir/corpus.jsonl.gz`, gzipSync(plain));
    await writeFile(`${dir.path}/misnamed.jsonl`, gzipSync(plain));
    for (const spec of [SAMPLE_CORPUS, `${dir.path}/beir`, `${dir.path}/misnamed.jsonl`]) {
      const source = await openCorpus(spec);
      const ids: string[] = [];
      for await (const d of readCorpus(source.chunks(), { onReject: () => {} })) ids.push(d.id);
      expect(ids).toHaveLength(73);
      expect(ids[72]).toBe('doc-073');
      expect(source.bytesRead).toBe(source.size);
    }
  });

  it('reads a corpus from an object store in range reads (file key or BEIR prefix)', async () => {
    const store = new MemoryObjectStore();
    const plain = await readFile(SAMPLE_CORPUS);
    await store.put('datasets/sample/corpus.jsonl.gz', gzipSync(plain));
    await store.put('datasets/other.jsonl', plain);
    const opened: string[] = [];
    // As the real opener does: s3://bucket/a/b → the store viewed through prefix "a/b".
    const openStore = (url: string) => {
      opened.push(url);
      return prefixed(store, url.replace(/^s3:\/\/[^/]+\/?/, ''));
    };
    for (const spec of ['s3://bucket/datasets/sample', 's3://bucket/datasets/other.jsonl']) {
      const source = await openCorpus(spec, { openStore });
      let n = 0;
      for await (const _ of readCorpus(source.chunks(), { onReject: () => {} })) n++;
      expect(n).toBe(73);
    }
    expect(opened).toEqual(['s3://bucket/datasets/sample', 's3://bucket/datasets']);
  });

  it('fails clearly on a missing corpus and on a truncated gzip stream', async () => {
    await expect(openCorpus(`${dir.path}/nope.jsonl`)).rejects.toBeInstanceOf(CorpusNotFoundError);
    await expect(openCorpus(dir.path)).rejects.toThrow(/corpus.jsonl/);
    const gz = gzipSync(await readFile(SAMPLE_CORPUS));
    await writeFile(`${dir.path}/truncated.jsonl.gz`, gz.subarray(0, gz.length - 100));
    const source = await openCorpus(`${dir.path}/truncated.jsonl.gz`);
    const consume = async () => {
      for await (const _ of readCorpus(source.chunks(), { onReject: () => {} })) {
      }
    };
    await expect(consume()).rejects.toBeInstanceOf(CorpusReadError);
  });
});
