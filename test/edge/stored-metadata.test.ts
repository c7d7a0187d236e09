/**
 * A document's metadata comes back as it was given at index time (issue 14, case 7): a corpus line's
 * `metadata` object is the document's metadata (not `{metadata: {…}}`), other fields of the line that
 * csplade does not know join it, and a line whose fields cannot be merged without losing one is rejected
 * with a reason. End to end: `csplade index` of a JSONL corpus into a folder, then the edge app asked for
 * `fields=metadata`.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as csplade } from '../../compose/cli/main.ts';
import { createApp } from '../../edge/app.ts';
import { registryEncoderFactory } from '../../edge/search/query-codec.ts';
import { LocalFolderObjectStore } from '../../shared/store/local-folder.node.ts';

const LINES: Record<string, unknown>[] = [
  {
    _id: 'beir',
    title: 'Alpha',
    text: 'aardvark burrows at night',
    metadata: { source: 'sample', topic_rank: 0 },
  },
  { _id: 'loose', text: 'bison graze the prairie', lang: 'en', year: 2020 },
  { _id: 'both', text: 'cormorant dives for fish', metadata: { source: 'x' }, lang: 'de' },
  {
    _id: 'deep',
    text: 'dromedary crosses the desert',
    metadata: { nested: { list: [1, 'two', { three: null }] }, empty: {} },
  },
  { _id: 'scalar', text: 'echidna lays eggs', metadata: 'a plain string' },
  { _id: 'none', text: 'flamingo stands on one leg', url: 'https://example.com/f' },
  { _id: 'clash', text: 'gazelle runs fast', metadata: { lang: 'en' }, lang: 'de' },
  { _id: 'scalar-and-more', text: 'heron waits', metadata: 'x', lang: 'en' },
];

const EXPECTED: Record<string, unknown> = {
  beir: { source: 'sample', topic_rank: 0 },
  loose: { lang: 'en', year: 2020 },
  both: { source: 'x', lang: 'de' },
  deep: { nested: { list: [1, 'two', { three: null }] }, empty: {} },
  scalar: 'a plain string',
  none: undefined,
};

let dir: string;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'csplade-metadata-'));
  const corpus = join(dir, 'corpus.jsonl');
  await writeFile(corpus, `${LINES.map((l) => JSON.stringify(l)).join('\n')}\n`);
  const sink = new Writable({ write: (_c, _e, done) => done() });
  const code = await csplade(
    ['index', '--corpus', corpus, '--index', 'meta', '--store', join(dir, 'store'), '--encoder', 'bm25'],
    { stdout: sink, stderr: sink, env: process.env, cwd: dir },
  );
  expect(code).toBe(0);
  app = createApp({
    store: new LocalFolderObjectStore(join(dir, 'store')),
    encoderFactory: registryEncoderFactory,
  });
}, 120_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function fieldsOf(id: string, word: string) {
  const res = await app.request(`/v1/indexes/meta/search?q=${word}&k=1&fields=metadata,url`);
  const body = (await res.json()) as { hits: { id: string; fields: Record<string, unknown> }[] };
  expect(body.hits[0]?.id).toBe(id);
  return body.hits[0].fields;
}

describe('metadata round trip', () => {
  it.each([
    ['beir', 'aardvark'],
    ['loose', 'bison'],
    ['both', 'cormorant'],
    ['deep', 'dromedary'],
    ['scalar', 'echidna'],
    ['none', 'flamingo'],
  ])('%s comes back as given', async (id, word) => {
    const fields = await fieldsOf(id, word);
    expect(fields.metadata).toEqual(EXPECTED[id]);
  });

  it('the url is a field of its own, not metadata', async () => {
    expect(await fieldsOf('none', 'flamingo')).toEqual({ url: 'https://example.com/f' });
  });

  it('lines whose metadata cannot be merged are rejected with a reason', async () => {
    const rejects = (await readFile(join(dir, 'meta.rejects.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { lineNumber?: number; line?: number; reason: string; detail: string });
    expect(rejects.map((r) => r.reason)).toEqual(['metadata_conflict', 'metadata_conflict']);
    expect(rejects[0].detail).toContain('lang');
    const res = await app.request('/v1/indexes/meta/search?q=gazelle%20heron');
    expect(((await res.json()) as { hits: unknown[] }).hits).toEqual([]);
  });
});
