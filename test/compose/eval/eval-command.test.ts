import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCorpus } from '../../../batch/corpus/sources.node.ts';
import { parseQrels } from '../../../batch/eval/qrels-file.ts';
import { parseTrecRun } from '../../../batch/eval/run-file.ts';
import { Bm25DocumentEncoder } from '../../../batch/pipeline/document-encoder.ts';
import { indexCorpus } from '../../../batch/pipeline/pipeline.ts';
import { main } from '../../../compose/cli/main.ts';
import { type NodeServer, startNodeServer } from '../../../edge/node.ts';
import { registryEncoderFactory } from '../../../edge/search/query-codec.ts';
import { evaluateRun } from '../../../shared/eval/evaluate.ts';
import { LocalFolderObjectStore } from '../../../shared/store/local-folder.node.ts';

// A corpus where every answer is obvious: "zebra" is only in z1, "violin" only in v1 and v2 (v1 twice).
const DOCS = [
  { _id: 'z1', title: 'Zebra', text: 'a zebra grazes' },
  { _id: 'v1', title: 'Violin', text: 'violin lessons for violin players' },
  { _id: 'v2', title: 'Music', text: 'a violin concerto' },
  { _id: 'x1', title: 'Other', text: 'nothing relevant here' },
];
// q1 zebra → z1 relevant (rank 1). q2 violin → v2 relevant, v1 ranks first: rank 2.
// q3 judged relevant x1 but "giraffe" matches nothing. q4 judged only non-relevant: left out.
const QUERIES = 'q1\tzebra\nq2\tviolin\nq3\tgiraffe\nq4\tzebra\n';
const QRELS = 'query-id\tcorpus-id\tscore\nq1\tz1\t1\nq2\tv2\t1\nq3\tx1\t1\nq4\tz1\t0\n';

function capture() {
  const chunks = { out: '', err: '' };
  const stream = (key: 'out' | 'err') =>
    ({
      write(text: string) {
        chunks[key] += text;
        return true;
      },
    }) as unknown as NodeJS.WritableStream;
  return { chunks, stdout: stream('out'), stderr: stream('err') };
}

let folder: { path: string };
let store: LocalFolderObjectStore;
let edge: NodeServer;

/** `csplade eval` in process, in the corpus folder: exit code, stdout, stderr. */
const run = async (args: string[]) => {
  const io = capture();
  const code = await main(['eval', ...args], {
    stdout: io.stdout,
    stderr: io.stderr,
    env: {},
    cwd: folder.path,
  });
  return { code, ...io.chunks };
};

beforeAll(async () => {
  folder = { path: await mkdtemp(join(tmpdir(), 'csplade-eval-cli-')) };
  await writeFile(join(folder.path, 'corpus.jsonl'), `${DOCS.map((d) => JSON.stringify(d)).join('\n')}\n`);
  await writeFile(join(folder.path, 'queries.tsv'), QUERIES);
  await writeFile(join(folder.path, 'qrels.tsv'), QRELS);
  store = new LocalFolderObjectStore(join(folder.path, 'store'));
  await indexCorpus({
    store,
    index: 'tiny',
    run: 'r1',
    corpus: await openCorpus(join(folder.path, 'corpus.jsonl')),
    encoder: new Bm25DocumentEncoder(),
    impactBits: 8,
  });
  edge = await startNodeServer({ store, encoderFactory: registryEncoderFactory }, { port: 0 });
});
afterAll(async () => {
  await edge?.close();
  if (folder) await rm(folder.path, { recursive: true, force: true });
});

describe('csplade eval: in process and over HTTP', () => {
  it('evaluates in-process over --store and prints the JSON object', async () => {
    const { code, out, err } = await run([
      '--index',
      'tiny',
      '--queries',
      'queries.tsv',
      '--qrels',
      'qrels.tsv',
      '--store',
      'store',
      '--json',
    ]);
    expect(code).toBe(0);
    const json = JSON.parse(out);
    expect(Object.keys(json).sort()).toEqual([
      'map',
      'mrr_at_10',
      'ndcg_at_10',
      'queries',
      'recall_at_100',
      'recall_at_1000',
    ]);
    expect(json.queries).toBe(3);
    // q1 = 1, q2 = relevant at rank 2, q3 = 0.
    expect(json.ndcg_at_10).toBeCloseTo((1 + 1 / Math.log2(3)) / 3, 12);
    expect(json.mrr_at_10).toBeCloseTo(1.5 / 3, 12);
    expect(json.map).toBeCloseTo(1.5 / 3, 12);
    expect(json.recall_at_100).toBeCloseTo(2 / 3, 12);
    expect(err).toMatch(/1 qrels queries have no relevant judgment/);
  });

  it('gives the same numbers over HTTP (--endpoint) and writes a run file trec_eval ranks identically', async () => {
    const { code, out } = await run([
      '--index',
      'tiny',
      '--queries',
      'queries.tsv',
      '--qrels',
      'qrels.tsv',
      '--endpoint',
      edge.url,
      '--run-file',
      'out.trec',
      '--k',
      '10',
    ]);
    expect(code).toBe(0);
    expect(out).toMatch(/nDCG@10\s+0\.5436/); // (1 + 0.6309) / 3
    expect(out).toMatch(/queries\s+3/);
    const runText = await readFile(join(folder.path, 'out.trec'), 'utf8');
    const lines = runText.trim().split('\n');
    expect(lines[0]).toMatch(/^q1 Q0 z1 1 \S+ csplade-tiny$/);
    expect(lines.filter((l) => l.startsWith('q2 ')).map((l) => l.split(' ')[2])).toEqual(['v1', 'v2']);
    const fromFile = evaluateRun(parseTrecRun(runText, 'out.trec'), parseQrels(QRELS, 'qrels.tsv'));
    expect(fromFile.mean.ndcg_at_10).toBeCloseTo((1 + 1 / Math.log2(3)) / 3, 12);
  });
});

describe('csplade eval: run files and failures', () => {
  it('scores an existing run file with --from-run, cutting it at --k like trec_eval -M', async () => {
    // q2's relevant v2 is at rank 2: with -M 1 it is cut, so q2 scores 0 and only q1 counts.
    await writeFile(
      join(folder.path, 'given.trec'),
      'q2 Q0 v2 1 1.5 other\nq2 Q0 v1 2 2.5 other\nq1 Q0 z1 1 9 other\n',
    );
    const full = await run(['--from-run', 'given.trec', '--qrels', 'qrels.tsv', '--json']);
    expect(full.code).toBe(0);
    expect(JSON.parse(full.out).ndcg_at_10).toBeCloseTo((1 + 1 / Math.log2(3)) / 3, 12);
    const cut = await run(['--from-run', 'given.trec', '--qrels', 'qrels.tsv', '--k', '1', '--json']);
    expect(JSON.parse(cut.out)).toEqual({
      ndcg_at_10: 1 / 3,
      mrr_at_10: 1 / 3,
      recall_at_100: 1 / 3,
      recall_at_1000: 1 / 3,
      map: 1 / 3,
      queries: 3,
    });
  });

  it('rejects bad usage with exit code 2 and names the problem', async () => {
    const missing = await run(['--index', 'tiny', '--queries', 'queries.tsv']);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/required option '--qrels <file>' not specified/);
    const both = await run([
      '--index',
      'tiny',
      '--queries',
      'q',
      '--qrels',
      'r',
      '--store',
      's',
      '--endpoint',
      'http://x',
    ]);
    expect(both.code).toBe(2);
    const badK = await run(['--index', 'tiny', '--queries', 'q', '--qrels', 'r', '--k', '0']);
    expect(badK.err).toMatch(/option '-k, --k <n>' argument '0' is invalid\. must be an integer ≥ 1/);
  });

  it('fails with exit code 1 and the API message for an unknown index', async () => {
    const { code, err } = await run([
      '--index',
      'nope',
      '--queries',
      'queries.tsv',
      '--qrels',
      'qrels.tsv',
      '--endpoint',
      edge.url,
    ]);
    expect(code).toBe(1);
    expect(err).toMatch(/answered 404/);
  });
});
