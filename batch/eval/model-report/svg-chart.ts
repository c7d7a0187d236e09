/**
 * The quality-versus-throughput chart of a model report as a self-contained SVG (no fonts or scripts
 * fetched): encoding throughput (documents/s) on x, quality on y — nDCG@10 when qrels were given,
 * otherwise the share of fp32's top-10 document terms a variant keeps (fp32 = 1 by definition) —
 * one labelled point per measured variant and provider. Axes start at 0 so distances are honest.
 */
import type { ModelReport } from './model-report.node.ts';

const W = 640;
const H = 420;
const M = { left: 70, right: 30, top: 40, bottom: 60 };
const COLORS: Record<string, string> = { fp32: '#1f77b4', int8: '#2ca02c', int4: '#d62728' };

const xmlText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const step = 10 ** Math.floor(Math.log10(value));
  return Math.ceil((value * 1.1) / step) * step;
}

export function modelReportSvg(report: ModelReport): string {
  const points = report.rows
    .filter((r) => r.docsPerSecond !== undefined)
    .map((r) => ({
      label: `${r.variant}/${r.provider}`,
      variant: r.variant,
      x: r.docsPerSecond ?? 0,
      y: r.quality ? r.quality.ndcg_at_10 : (r.driftFromFp32?.top10Overlap ?? 0),
    }));
  const usesQrels = report.rows.some((r) => r.quality !== undefined);
  const yTitle = usesQrels ? 'nDCG@10 (8-bit index)' : 'top-10 document terms kept vs fp32';
  const xMax = niceMax(Math.max(0, ...points.map((p) => p.x)));
  const yMax = usesQrels ? Math.min(1, niceMax(Math.max(0, ...points.map((p) => p.y)))) : 1;
  const px = (x: number) => M.left + (x / xMax) * (W - M.left - M.right);
  const py = (y: number) => H - M.bottom - (y / yMax) * (H - M.top - M.bottom);
  const ticks = (max: number) => Array.from({ length: 6 }, (_, i) => (max * i) / 5);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${xmlText(`Quality vs encoding throughput — ${report.documents} documents`)}</text>`,
    `<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="black"/>`,
    `<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${H - M.bottom}" stroke="black"/>`,
    ...ticks(xMax).map(
      (t) =>
        `<text x="${px(t)}" y="${H - M.bottom + 16}" text-anchor="middle">${Number(t.toPrecision(3))}</text>` +
        `<line x1="${px(t)}" y1="${H - M.bottom}" x2="${px(t)}" y2="${H - M.bottom + 4}" stroke="black"/>`,
    ),
    ...ticks(yMax).map(
      (t) =>
        `<text x="${M.left - 8}" y="${py(t) + 4}" text-anchor="end">${t.toFixed(2)}</text>` +
        `<line x1="${M.left}" y1="${py(t)}" x2="${W - M.right}" y2="${py(t)}" stroke="#ddd"/>`,
    ),
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 18}" text-anchor="middle">documents encoded per second</text>`,
    `<text x="18" y="${(M.top + H - M.bottom) / 2}" text-anchor="middle" transform="rotate(-90 18 ${(M.top + H - M.bottom) / 2})">${xmlText(yTitle)}</text>`,
    ...points.map(
      (p) =>
        `<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="5" fill="${COLORS[p.variant] ?? '#555'}"><title>${xmlText(`${p.label}: ${p.x.toFixed(1)} docs/s, ${p.y.toFixed(4)}`)}</title></circle>` +
        `<text x="${(px(p.x) + 8).toFixed(1)}" y="${(py(p.y) - 8).toFixed(1)}">${xmlText(p.label)}</text>`,
    ),
    '</svg>',
  ];
  return `${parts.join('\n')}\n`;
}
