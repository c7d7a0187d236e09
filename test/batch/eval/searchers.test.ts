import { describe, expect, it } from 'vitest';
import { collectRun } from '../../../batch/eval/collect-run.ts';
import { FloatInvertedIndex } from '../../../batch/eval/float-index.ts';
import { createHttpSearcher } from '../../../batch/eval/http-searcher.ts';
import type { Searcher } from '../../../batch/eval/searcher.ts';
import { SearchBackendError } from '../../../shared/eval/errors.ts';

const vec = (entries: [number, number][]) => ({
  terms: Uint32Array.from(entries.map((e) => e[0])),
  weights: Float32Array.from(entries.map((e) => e[1])),
});

describe('FloatInvertedIndex', () => {
  it('scores exact float dot products and ranks ties by id descending', () => {
    const index = new FloatInvertedIndex(
      ['a', 'b', 'c', 'd'],
      [
        vec([
          [1, 0.5],
          [2, 1],
        ]),
        vec([[2, 2]]),
        vec([[1, 1.5]]),
        vec([[3, 4]]),
      ],
    );
    // query 1×t1 + 2×t2: a = 0.5 + 2 = 2.5, b = 4, c = 1.5, d = 0 (not returned)
    expect(
      index.search(
        vec([
          [1, 1],
          [2, 2],
        ]),
        10,
      ),
    ).toEqual([
      { docId: 'b', score: 4 },
      { docId: 'a', score: 2.5 },
      { docId: 'c', score: 1.5 },
    ]);
    expect(
      index.search(
        vec([
          [1, 1],
          [2, 2],
        ]),
        1,
      ),
    ).toEqual([{ docId: 'b', score: 4 }]);
    const tied = new FloatInvertedIndex(['x', 'y'], [vec([[1, 1]]), vec([[1, 1]])]);
    expect(tied.search(vec([[1, 1]]), 10).map((h) => h.docId)).toEqual(['y', 'x']);
  });
});

describe('createHttpSearcher', () => {
  it('POSTs {query, k} to /v1/indexes/<index>/search and maps hits', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const searcher = createHttpSearcher({
      endpoint: 'http://edge.test/base/',
      index: 'scifact',
      apiKey: 'secret',
      fetch: async (url, init) => {
        calls.push({ url, init });
        return Response.json({
          hits: [
            { id: 'd1', score: 3.5 },
            { id: 'd2', score: 1 },
          ],
        });
      },
    });
    expect(await searcher.search('a claim', 7)).toEqual([
      { docId: 'd1', score: 3.5 },
      { docId: 'd2', score: 1 },
    ]);
    expect(calls[0].url).toBe('http://edge.test/base/v1/indexes/scifact/search');
    expect(JSON.parse(String(calls[0].init.body))).toEqual({ query: 'a claim', k: 7 });
    expect((calls[0].init.headers as Record<string, string>).authorization).toBe('Bearer secret');
  });

  it('retries 503 and then succeeds; fails at once on 400 with the API message', async () => {
    let n = 0;
    const flaky = createHttpSearcher({
      endpoint: 'http://e',
      index: 'i',
      retryDelayMs: 1,
      fetch: async () => (++n < 3 ? new Response('busy', { status: 503 }) : Response.json({ hits: [] })),
    });
    expect(await flaky.search('q', 1)).toEqual([]);
    expect(n).toBe(3);
    let m = 0;
    const bad = createHttpSearcher({
      endpoint: 'http://e',
      index: 'i',
      retryDelayMs: 1,
      fetch: async () => {
        m++;
        return new Response('{"error":{"message":"k must be in 1..1000"}}', { status: 400 });
      },
    });
    await expect(bad.search('q', 5000)).rejects.toThrow(/answered 400: .*k must be in 1\.\.1000/);
    expect(m).toBe(1);
  });

  it('refuses a body without hits or with malformed hits', async () => {
    const s = (body: unknown) =>
      createHttpSearcher({ endpoint: 'http://e', index: 'i', fetch: async () => Response.json(body) });
    await expect(s({ results: [] }).search('q', 1)).rejects.toThrow(SearchBackendError);
    await expect(s({ hits: [{ id: 1, score: 2 }] }).search('q', 1)).rejects.toThrow(/hit 0 lacks/);
  });
});

describe('collectRun', () => {
  it('keeps query order and bounds concurrency', async () => {
    let inFlight = 0;
    let peak = 0;
    const searcher: Searcher = {
      description: 'fake',
      async search(query, k) {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, query.length));
        inFlight--;
        return [{ docId: `${query}-hit`, score: k }];
      },
    };
    const queries = ['ccc', 'a', 'bb', 'dddd', 'e'].map((text, i) => ({ id: `q${i}`, text }));
    const run = await collectRun(searcher, queries, { k: 3, concurrency: 2 });
    expect([...run.keys()]).toEqual(['q0', 'q1', 'q2', 'q3', 'q4']);
    expect(run.get('q3')).toEqual([{ docId: 'dddd-hit', score: 3 }]);
    expect(peak).toBe(2);
  });
});
