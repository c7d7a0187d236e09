/**
 * The pipeline against a real S3 server (Ceph radosgw from test/services/radosgw.global-setup.ts): the
 * publishing suite (race, verification, gc, rollback), and a shard big enough to go up as a multipart
 * upload and come back through range reads (the hot-region hint, postings, stored fields).
 */
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { openCorpus } from '../../../batch/corpus/sources.node.ts';
import { Bm25DocumentEncoder } from '../../../batch/pipeline/document-encoder.ts';
import { openStoreUrl } from '../../../batch/pipeline/open-store.node.ts';
import { indexCorpus } from '../../../batch/pipeline/pipeline.ts';
import { encodeQueryText, loadManifest, searchManifest } from '../../../batch/publish/local-search.ts';
import type { ObjectStore } from '../../../shared/store/object-store.ts';
import { prefixed } from '../../../shared/store/prefixed.ts';
import { S3ObjectStore } from '../../../shared/store/s3.ts';
import { createTestBucket, s3TestClient, s3TestEnv } from '../../services/s3-test-env.ts';
import { SAMPLE_CORPUS, tempDir, writeJsonl } from '../helpers/pipeline-fixtures.ts';
import { describePublishing } from './publish-suite.ts';

const client = s3TestClient();
const bucket = await createTestBucket(client, 'pipeline');
const MULTIPART_THRESHOLD = 5 * 1024 * 1024;
const s3 = new S3ObjectStore({
  client,
  bucket,
  multipartThresholdBytes: MULTIPART_THRESHOLD,
  partSizeBytes: 5 * 1024 * 1024,
});
let n = 0;

describePublishing('S3 (radosgw)', () => prefixed(s3, `publish-${++n}`));

/** Counts range reads and their bytes, to show a query reads parts of a shard, not whole shards. */
function countingRanges(store: ObjectStore) {
  const counts = { ranges: 0, rangeBytes: 0, gets: 0 };
  const wrapped: ObjectStore = {
    ...store,
    get: (key) => {
      counts.gets++;
      return store.get(key);
    },
    getRange: async (key, offset, length) => {
      counts.ranges++;
      counts.rangeBytes += length;
      return store.getRange(key, offset, length);
    },
    head: (key) => store.head(key),
    put: (key, bytes, options) => store.put(key, bytes, options),
    list: (prefix) => store.list(prefix),
    delete: (key) => store.delete(key),
  };
  return { store: wrapped, counts };
}

describe('a large shard on S3', () => {
  it('is uploaded in parts, verified, and queried with range reads', async () => {
    const dir = await tempDir('s3-large');
    try {
      const filler = 'lorem ipsum dolor sit amet '.repeat(200); // ~5.4 KB stored per document
      const records = Array.from({ length: 1400 }, (_, i) => ({
        _id: `d${i}`,
        title: `Document ${i}`,
        text: `document number ${i} about topic${i % 37} and subject${i % 101}`,
        body: filler,
      }));
      records.push({
        _id: 'needle',
        title: 'Needle',
        text: 'a unique zyzzyva appears only here',
        body: filler,
      });
      const corpus = await writeJsonl(`${dir.path}/large.jsonl`, records);
      const store = prefixed(s3, 'large');
      const summary = await indexCorpus({
        store,
        index: 'large',
        run: 'large1',
        corpus: await openCorpus(corpus),
        encoder: new Bm25DocumentEncoder(),
        shards: 1,
      });
      expect(summary.documents.indexed).toBe(1401);
      const manifest = await loadManifest(store, 'large');
      expect(manifest.shards[0].size).toBeGreaterThan(MULTIPART_THRESHOLD); // above the multipart threshold
      const head = await store.head(manifest.shards[0].key);
      expect(head?.size).toBe(manifest.shards[0].size);

      const { store: counted, counts } = countingRanges(store);
      const query = await encodeQueryText(store, manifest, 'zyzzyva');
      const hits = await searchManifest(counted, manifest, query, { k: 3, storedFields: true });
      expect(hits[0]).toMatchObject({ id: 'needle', title: 'Needle' });
      expect(counts.gets).toBe(0);
      expect(counts.ranges).toBeGreaterThanOrEqual(2);
      expect(counts.rangeBytes).toBeLessThan(manifest.shards[0].size / 4);
    } finally {
      await dir.remove();
    }
  });
});

describe('a corpus in S3', () => {
  it('is read from a BEIR-style prefix (gzip) in range reads and indexed like a local one', async () => {
    const env = s3TestEnv();
    const gz = gzipSync(await readFile(SAMPLE_CORPUS));
    await s3.put('datasets/sample/corpus.jsonl.gz', gz);
    const variables = {
      S3_ENDPOINT: env.endpoint,
      AWS_ACCESS_KEY_ID: env.accessKeyId,
      AWS_SECRET_ACCESS_KEY: env.secretAccessKey,
      AWS_REGION: env.region,
    };
    const corpus = await openCorpus(`s3://${bucket}/datasets/sample`, {
      openStore: (url) => openStoreUrl(url, variables),
    });
    expect(corpus.size).toBe(gz.length);
    const store = prefixed(s3, 'from-s3');
    const summary = await indexCorpus({
      store,
      index: 'remote',
      run: 'r',
      corpus,
      encoder: new Bm25DocumentEncoder(),
    });
    expect(summary.documents).toMatchObject({ read: 73, rejected: 0, indexed: 73 });
    expect(corpus.bytesRead).toBe(gz.length);
  });
});
