import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModelReport, type ModelReport } from '../../../batch/eval/model-report/model-report.node.ts';
import { formatModelReport } from '../../../batch/eval/model-report/report-table.ts';
import { modelReportSvg } from '../../../batch/eval/model-report/svg-chart.ts';
import { writeTinyModelDir } from '../../../batch/model/tiny-model-dir.node.ts';
import { main } from '../../../compose/cli/main.ts';

const TEXTS = [
  'the river flows into the ocean near the old city',
  'sparse retrieval expands documents with related terms',
  'photosynthesis converts light into chemical energy',
  'the football team won the final after penalties',
  'interest rates rose as inflation climbed again',
  'a violin concerto in three movements',
];

let dir: string;
let report: ModelReport;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'csplade-model-report-'));
  await writeTinyModelDir(join(dir, 'model'), {
    architecture: 'masked-lm',
    vocabSize: 1000,
    hidden: 64,
    layers: 2,
    seed: 3,
  });
  report = await buildModelReport({
    modelDir: join(dir, 'model'),
    docs: { ids: TEXTS.map((_, i) => `d${i}`), texts: TEXTS },
    queries: [
      { id: 'q0', text: 'river ocean city' },
      { id: 'q1', text: 'violin concerto' },
    ],
    qrels: new Map([
      ['q0', new Map([['d0', 1]])],
      ['q1', new Map([['d5', 1]])],
    ]),
    variants: ['fp32', 'int8', 'int4'],
    providers: ['cpu'],
  });
}, 60_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('csplade model report: the variants', () => {
  it('writes the int8 and int4 variants beside the model, each smaller than the one before', async () => {
    const sizes = Object.fromEntries(report.rows.map((r) => [r.variant, r.modelBytes]));
    expect(sizes.int8).toBeLessThan(sizes.fp32);
    expect(sizes.int4).toBeLessThan(sizes.int8);
    expect((await stat(join(dir, 'model', 'model.int8.onnx'))).size).toBeGreaterThan(0);
    expect((await stat(join(dir, 'model', 'model.int4.onnx'))).size).toBeGreaterThan(0);
  });

  it('measures every variant on the CPU with throughput, non-zeros, index size, drift and quality', () => {
    expect(report.rows.map((r) => `${r.variant}/${r.provider}`)).toEqual([
      'fp32/cpu',
      'int8/cpu',
      'int4/cpu',
    ]);
    for (const row of report.rows) {
      expect(row.unavailable).toBeUndefined();
      expect(row.docsPerSecond).toBeGreaterThan(0);
      expect(row.tokensPerSecond).toBeGreaterThan(row.docsPerSecond ?? 0);
      // the tiny model's config keeps at most 128 terms per document and 64 per query
      expect(row.nnzPerDoc).toBeGreaterThan(0);
      expect(row.nnzPerDoc).toBeLessThanOrEqual(128);
      expect(row.nnzPerQuery).toBeLessThanOrEqual(64);
      expect(row.indexBytes).toBeGreaterThan(0);
      expect(row.quality?.queries).toBe(2);
      expect(row.quality?.ndcg_at_10).toBeGreaterThanOrEqual(0);
      expect(row.quality?.ndcg_at_10).toBeLessThanOrEqual(1);
    }
    const fp32 = report.rows[0].driftFromFp32;
    expect(fp32?.top10Overlap).toBe(1);
    expect(fp32?.relativeScoreError).toBe(0);
    // 4-bit weights move vectors at least as far as 8-bit ones
    expect(report.rows[2].driftFromFp32?.relativeWeightError).toBeGreaterThanOrEqual(
      report.rows[1].driftFromFp32?.relativeWeightError ?? Number.POSITIVE_INFINITY,
    );
  });
});

describe('csplade model report: what it writes', () => {
  it('prints a table row per variant and draws one labelled point per measured row', () => {
    const table = formatModelReport(report);
    expect(table).toMatch(/^fp32\s+cpu\s+\d+\.\d\d\s+\d/m);
    expect(table).toMatch(/^int4\s+cpu/m);
    const svg = modelReportSvg(report);
    expect(svg.match(/<circle /g)?.length).toBe(3);
    expect(svg).toContain('nDCG@10 (8-bit index)');
    expect(svg).toContain('>int8/cpu<');
  });

  it('runs as a CLI verb with --json and writes the SVG', async () => {
    const corpus = join(dir, 'corpus.jsonl');
    await writeFile(corpus, TEXTS.map((text, i) => JSON.stringify({ _id: `d${i}`, text })).join('\n'));
    let out = '';
    const io = {
      stdout: {
        write: (t: string) => {
          out += t;
          return true;
        },
      } as unknown as NodeJS.WritableStream,
      stderr: { write: () => true } as unknown as NodeJS.WritableStream,
    };
    const code = await main(
      [
        'model',
        'report',
        'model',
        '--corpus',
        'corpus.jsonl',
        '--docs',
        '4',
        '--variants',
        'fp32,int8',
        '--svg',
        'chart.svg',
        '--json',
      ],
      { ...io, env: {}, cwd: dir },
    );
    expect(code).toBe(0);
    const json = JSON.parse(out);
    expect(json.documents).toBe(4);
    expect(json.rows.map((r: { variant: string }) => r.variant)).toEqual(['fp32', 'int8']);
    expect(await readFile(join(dir, 'chart.svg'), 'utf8')).toMatch(
      /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/,
    );
  });
});
