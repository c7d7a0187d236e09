/**
 * Filters in the Worker (the wrangler bundle in workerd, over a local R2 bucket): the same 520 random
 * filters and queries as the Node check, exact answers equal to brute force over the filtered corpus;
 * approximate answers hold only passing documents, with k hits whenever k exist.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorker, type LocalWorker, startLocalWorker } from '../../edge/local-worker.node.ts';
import {
  checkFiltered,
  FILTER_SCHEMA,
  filterCorpus,
  filteredCases,
  type Search,
} from './helpers/filtered-cases.ts';
import { type BuiltIndex, buildTestIndex } from './helpers/test-index.ts';

const docs = filterCorpus(6000);
const cases = filteredCases(520, 29);
let worker: LocalWorker;
let built: BuiltIndex;
let search: Search;

beforeAll(async () => {
  worker = await startLocalWorker({ scriptPath: await bundleWorker(), vars: { CURRENT_TTL_MS: '60000' } });
  built = await buildTestIndex(worker.bucket, {
    index: 'f',
    version: 'v1',
    docs,
    shards: 3,
    filterable: FILTER_SCHEMA,
    approximate: { settings: { clusterSize: 64, routingEntries: 400, termsPerCluster: 4 } },
  });
  search = async (body) => {
    const res = await worker.miniflare.dispatchFetch('http://edge/v1/indexes/f/search', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as never };
  };
}, 120_000);
afterAll(() => worker?.dispose());

describe('filtered search in workerd', () => {
  it('exact: equals brute force over the filtered corpus for 520 random filters', async () => {
    const report = await checkFiltered(search, built, docs, cases, 'exact');
    console.log(`filtered exact (workerd): ${JSON.stringify(report)}`);
    expect(report.bySelectivity.under_0_1_percent).toBeGreaterThan(5);
    expect(report.bySelectivity.over_90_percent).toBeGreaterThan(5);
  }, 180_000);

  it('approximate: passing documents only, k hits when k exist; recall reported', async () => {
    const report = await checkFiltered(search, built, docs, cases.slice(0, 200), 'approximate');
    console.log(`filtered approximate (workerd): ${JSON.stringify(report)}`);
    expect(report.approximateRecall).toBeGreaterThan(0.5);
  }, 180_000);
});
