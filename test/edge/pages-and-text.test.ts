/**
 * Pagination and stored text through the API (`app.request()` over real indexes in the memory store):
 * pages 1..n concatenate to the top n·k, in exact mode and in approximate mode (pages that name `from`
 * are cut from one fixed window); the window limit is a 400 naming `from`. Stored text comes back as
 * given, read only for the hits returned; a snippet is a passage of it whose highlighted words carry
 * tokens that contributed to the score (consistent with explain); an index without stored text says so.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../edge/app.ts';
import { registryEncoderFactory } from '../../edge/search/query-codec.ts';
import { MemoryObjectStore } from '../../shared/store/memory.ts';
import { filterCorpus } from './helpers/filtered-cases.ts';
import { type BuiltIndex, buildTestIndex, expectedHits } from './helpers/test-index.ts';

interface Hit {
  id: string;
  score: number;
  fields?: { text?: string; title?: string };
  snippet?: { text: string; highlights: { start: number; end: number; token: string }[] };
  explain?: { token: string; contribution: number }[];
}
interface Body {
  mode: string;
  from: number;
  hits: Hit[];
  debug?: { bytes: number; subrequests: number };
  error?: { field: string; message: string };
}

const docs = filterCorpus(3000, 8).map((d, i) => ({
  ...d,
  // Longer texts, so stored text spans many blocks per shard.
  text: `${d.text}. ${i % 5 === 0 ? 'A whale sang near the coral reef at dawn.' : 'Nothing else happened that day.'} ${'filler words keep this passage long enough '.repeat(4)}`,
}));
let built: BuiltIndex;
let store: MemoryObjectStore;
const appOf = () => createApp({ store, encoderFactory: registryEncoderFactory });
let app: ReturnType<typeof appOf>;

async function search(body: Record<string, unknown>, index = 'p', a = app) {
  const res = await a.request(`/v1/indexes/${index}/search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Body };
}

beforeAll(async () => {
  store = new MemoryObjectStore();
  built = await buildTestIndex(store, {
    index: 'p',
    version: 'v1',
    docs,
    shards: 3,
    storeText: true,
    approximate: { settings: { clusterSize: 64, routingEntries: 400, termsPerCluster: 4 } },
  });
  await buildTestIndex(store, { index: 'plain', version: 'v1', shards: 2 });
  app = appOf();
}, 60_000);

describe('pagination', () => {
  it('exact: pages 1..n concatenate to the top n·k, in score then document order', async () => {
    for (const query of ['whale coral reef', 'violin', 'lava ash crater wheat']) {
      const whole = await search({ query, k: 30, mode: 'exact' });
      const pages: Hit[] = [];
      for (let from = 0; from < 30; from += 6) {
        const page = await search({ query, k: 6, from, mode: 'exact' });
        expect(page.body.from).toBe(from);
        pages.push(...page.body.hits);
      }
      expect(pages).toEqual(whole.body.hits);
      const vector = (await built.encoder.encode([query], 'query'))[0];
      expect(whole.body.hits.map((h) => h.id)).toEqual(expectedHits(built, vector, 30).map((h) => h.id));
    }
  });

  it('approximate: pages that name `from` concatenate to the top n·k, with no hit twice', async () => {
    for (const query of ['whale coral reef', 'compiler linker', 'galaxy orbit telescope nebula']) {
      const whole = await search({ query, k: 40, from: 0, mode: 'approximate' });
      expect(whole.body.mode).toBe('approximate');
      const pages: Hit[] = [];
      for (let from = 0; from < 40; from += 10)
        pages.push(...(await search({ query, k: 10, from, mode: 'approximate' })).body.hits);
      expect(pages).toEqual(whole.body.hits);
      expect(new Set(pages.map((h) => h.id)).size).toBe(pages.length);
    }
  });

  it('the result window is bounded; a page past the hits is empty', async () => {
    const { status, body } = await search({ query: 'whale', k: 10, from: 995 });
    expect(status).toBe(400);
    expect(body.error).toMatchObject({
      field: 'from',
      message: expect.stringMatching(/result window of 1000/),
    });
    expect((await search({ query: 'whale', k: 10, from: -1 })).body.error?.field).toBe('from');
    expect((await search({ query: 'zzzz whale', k: 10, from: 990 })).body.hits.length).toBeLessThanOrEqual(
      10,
    );
    const get = await app.request('/v1/indexes/p/search?q=violin&k=2&from=2');
    expect(((await get.json()) as Body).hits).toEqual(
      (await search({ query: 'violin', k: 4 })).body.hits.slice(2),
    );
  });
});

describe('stored text and snippets', () => {
  it('returns the stored text of each hit as given', async () => {
    const { body } = await search({ query: 'whale coral reef', k: 8, fields: ['text', 'title'] });
    const byId = new Map(docs.map((d) => [d.id, d]));
    expect(body.hits).toHaveLength(8);
    for (const h of body.hits)
      expect(h.fields).toEqual({ text: byId.get(h.id)!.text, title: byId.get(h.id)!.title });
  });

  it('highlights, in the best passage, words whose tokens contributed (as explain says), in both modes', async () => {
    for (const mode of ['exact', 'approximate']) {
      const { body } = await search({
        query: 'whale sang near the coral reef',
        k: 5,
        snippet: true,
        explain: true,
        mode,
      });
      for (const h of body.hits) {
        const contributing = new Set(h.explain!.filter((e) => e.contribution > 0).map((e) => e.token));
        expect(h.snippet!.highlights.length, JSON.stringify(h)).toBeGreaterThan(0);
        const full = docs.find((d) => d.id === h.id)!.text;
        expect(full).toContain(h.snippet!.text);
        for (const mark of h.snippet!.highlights) {
          expect(contributing.has(mark.token), `${mark.token} not in explain`).toBe(true);
          const word = h.snippet!.text.slice(mark.start, mark.end).toLowerCase();
          expect(
            word.startsWith(mark.token.replace(/^##/, '')) || mark.token.startsWith(word.slice(0, 3)),
          ).toBe(true);
        }
        // The passage holds the hit's best contributing word.
        const best = h.explain![0].token;
        expect(h.snippet!.highlights.map((m) => m.token)).toContain(best);
      }
    }
  });

  it('reads text only for the hits returned', async () => {
    const fresh = appOf();
    const without = await search({ query: 'volcano magma', k: 3, debug: true }, 'p', fresh);
    const withText = await search(
      { query: 'volcano magma', k: 3, fields: ['text'], debug: true },
      'p',
      fresh,
    );
    const files = built.manifest.shards.map((s) => s.docValues!.size).reduce((a, b) => a + b, 0);
    const extra = withText.body.debug!.bytes - 0;
    // Heads and at most 3 blocks (one per hit) on top of a warm query that reads nothing.
    expect(without.body.debug!.bytes).toBeGreaterThan(0);
    expect(extra).toBeGreaterThan(0);
    expect(extra).toBeLessThan(files / 4);
    expect(withText.body.debug!.subrequests).toBeLessThanOrEqual(2 * 3);
  });

  it('an index without stored text answers 400 naming the field', async () => {
    expect((await search({ query: 'fox', snippet: true }, 'plain')).body.error).toMatchObject({
      field: 'snippet',
      message: expect.stringMatching(/stores no text/),
    });
    expect((await search({ query: 'fox', fields: ['text'] }, 'plain')).body.error?.field).toBe('fields');
  });
});
