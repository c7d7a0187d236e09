import { describe, expect, it } from 'vitest';
import type { ModelReport } from '../../../batch/eval/model-report/model-report.node.ts';
import { formatModelReport } from '../../../batch/eval/model-report/report-table.ts';
import { modelReportSvg } from '../../../batch/eval/model-report/svg-chart.ts';

const drift = (top10Overlap: number) => ({
  texts: 4,
  top10Overlap,
  termOverlap: 1,
  relativeWeightError: 0,
  relativeScoreError: 0,
});

// A report without qrels: quality on the chart is the share of fp32's top-10 terms kept.
const report: ModelReport = {
  modelDir: '/models/x',
  documents: 4,
  queries: 0,
  impactBits: 8,
  rows: [
    {
      variant: 'fp32',
      provider: 'cpu',
      modelBytes: 4 * 2 ** 20,
      docsPerSecond: 100,
      tokensPerSecond: 4000,
      nnzPerDoc: 120,
      indexBytes: 2 ** 20,
      driftFromFp32: drift(1),
    },
    {
      variant: 'int8',
      provider: 'cpu',
      modelBytes: 2 ** 20,
      docsPerSecond: 300,
      tokensPerSecond: 12000,
      nnzPerDoc: 118,
      indexBytes: 2 ** 20,
      driftFromFp32: drift(0.9),
    },
    { variant: 'int4', provider: 'cuda', modelBytes: 2 ** 19, unavailable: 'session runs on cpu, not cuda' },
  ],
};

describe('model report output', () => {
  it('places points by throughput and top-10 overlap, skipping unmeasured rows', () => {
    const svg = modelReportSvg(report);
    const circles = [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"/g)].map((m) => [
      Number(m[1]),
      Number(m[2]),
    ]);
    expect(circles).toHaveLength(2);
    const [fp32, int8] = circles;
    expect(int8[0]).toBeGreaterThan(fp32[0]); // faster → further right
    expect(int8[1]).toBeGreaterThan(fp32[1]); // lower overlap → lower on the chart (larger y)
    expect(svg).toContain('top-10 document terms kept vs fp32');
    expect(svg).not.toContain('int4/cuda');
  });

  it('prints MiB, dashes for missing numbers and why a row was not measured', () => {
    const table = formatModelReport(report);
    expect(table).toMatch(/^fp32\s+cpu\s+4\.00\s+100\.0\s+4000\s+—\s+120\.0\s+—\s+1\.00\s+1\.000/m);
    expect(table).toMatch(/^int4\s+cuda\s+0\.50\s+—/m);
    expect(table).toContain('int4/cuda not measured: session runs on cpu, not cuda');
  });
});
