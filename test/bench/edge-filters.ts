/**
 * bench:edge's filter section (`--filter-selectivity 0.01,0.1,0.5`): the same queries unfiltered and with
 * a filter passing each share of the documents, in each mode, through the Worker in workerd. The filter
 * is a range on a number field `u` drawn uniformly per document, so its documents are spread over every
 * cluster — the hard case for approximate search. Each variant gets a fresh isolate (empty caches) and
 * asks every query twice: the first ask's bytes and subrequests are what the variant reads (filter
 * structures included), the second ask's latency is the warm one. Approximate recall is measured against
 * the exact filtered top-k computed in this process.
 */
import type { LocalWorker } from '../../edge/local-worker.node.ts';
import { startLocalWorker } from '../../edge/local-worker.node.ts';
import type { InvertedPostings } from '../../shared/postings/invert.ts';
import type { QuantizedVector } from '../../shared/sparse/types.ts';

/** Values of the filter field run over [0, U_RANGE); a filter `u < s × U_RANGE` passes a share s. */
export const U_RANGE = 1_000_000;

/** The filter field's value of the document at corpus position `doc` (a fixed hash: uniform, seedless). */
export function uOf(doc: number): number {
  let x = (doc + 0x9e3779b9) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  return (x ^ (x >>> 16)) % U_RANGE;
}

export interface FilterBenchInput {
  readonly scriptPath: string;
  readonly persistTo: string;
  readonly vars: () => Record<string, string>;
  readonly index: string;
  readonly modes: readonly ('exact' | 'approximate')[];
  readonly k: number;
  readonly queries: readonly QuantizedVector[];
  readonly bodies: readonly Record<string, number>[];
  /** Postings of the placed documents, and each placed document's corpus position. */
  readonly inverted: InvertedPostings;
  readonly order: Uint32Array;
}

interface Ask {
  ms: number;
  bytes: number;
  subrequests: number;
  ids: string[];
  strategy?: string;
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

export async function benchFilters(input: FilterBenchInput, selectivities: readonly number[]) {
  const report: Record<string, unknown> = { field: 'u (uniform per document: every cluster holds some)' };
  for (const mode of input.modes) {
    const rows: Record<string, unknown>[] = [];
    let unfilteredWarm = 0;
    for (const share of [undefined, ...selectivities]) {
      const passes =
        share === undefined ? undefined : (placed: number) => uOf(input.order[placed]) < share * U_RANGE;
      const truth = input.queries.map((q) => filteredTopK(input, q, passes));
      const worker = await startLocalWorker({
        scriptPath: input.scriptPath,
        persistTo: input.persistTo,
        cachePersist: false,
        vars: { ...input.vars(), CURRENT_TTL_MS: '60000' },
      });
      const first: Ask[] = [];
      const second: Ask[] = [];
      for (let q = 0; q < input.queries.length; q++) {
        first.push(await ask(worker, input, q, mode, share));
        second.push(await ask(worker, input, q, mode, share));
      }
      await worker.dispose();
      const warm = percentile(
        second.map((a) => a.ms),
        50,
      );
      if (share === undefined) unfilteredWarm = warm;
      const strategies: Record<string, number> = {};
      for (const a of first) if (a.strategy) strategies[a.strategy] = (strategies[a.strategy] ?? 0) + 1;
      rows.push({
        selectivity: share ?? 'unfiltered',
        warm_p50_ms: round(warm),
        warm_p95_ms: round(
          percentile(
            second.map((a) => a.ms),
            95,
          ),
        ),
        warm_p50_vs_unfiltered: round(warm / unfilteredWarm),
        first_ask_p50_ms: round(
          percentile(
            first.map((a) => a.ms),
            50,
          ),
        ),
        first_ask_bytes_mean: Math.round(mean(first.map((a) => a.bytes))),
        first_ask_subrequests_mean: round(mean(first.map((a) => a.subrequests))),
        warm_bytes_total: second.reduce((n, a) => n + a.bytes, 0),
        recall_at_k: round(mean(first.map((a, q) => recall(a.ids, truth[q]))), 4),
        ...(Object.keys(strategies).length > 0 ? { strategies } : {}),
      });
      process.stderr.write(`filters ${mode} ${share ?? 'unfiltered'}: warm p50 ${round(warm)} ms\n`);
    }
    report[mode] = rows;
  }
  return report;
}

async function ask(
  worker: LocalWorker,
  input: FilterBenchInput,
  q: number,
  mode: string,
  share: number | undefined,
): Promise<Ask> {
  const started = performance.now();
  const res = await fetch(`${worker.url.origin}/v1/indexes/${input.index}/search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      vector: input.bodies[q],
      k: input.k,
      mode,
      debug: true,
      ...(share === undefined ? {} : { filter: { u: { lt: share * U_RANGE } } }),
    }),
  });
  const body = (await res.json()) as {
    hits?: { id: string }[];
    debug?: { bytes: number; subrequests: number };
    approximation?: { filter?: { strategy: string } };
  };
  const ms = performance.now() - started;
  if (res.status !== 200)
    throw new Error(`query ${q} (${mode}, ${share}): ${res.status} ${JSON.stringify(body).slice(0, 400)}`);
  return {
    ms,
    bytes: body.debug!.bytes,
    subrequests: body.debug!.subrequests,
    ids: body.hits!.map((h) => h.id),
    strategy: body.approximation?.filter?.strategy,
  };
}

/** The exact top-k ids ("doc<corpus position>") over the placed documents that pass. */
function filteredTopK(
  input: FilterBenchInput,
  query: QuantizedVector,
  passes: ((placed: number) => boolean) | undefined,
): Set<string> {
  const scores = new Map<number, number>();
  const { docs, impacts, termStarts } = input.inverted;
  query.terms.forEach((t, i) => {
    for (let p = termStarts[t]; p < termStarts[t + 1]; p++) {
      const d = docs[p];
      if (passes && !passes(d)) continue;
      scores.set(d, (scores.get(d) ?? 0) + query.impacts[i] * impacts[p]);
    }
  });
  const top = [...scores].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, input.k);
  return new Set(top.map(([d]) => `doc${input.order[d]}`));
}

function recall(ids: readonly string[], truth: Set<string>): number {
  return truth.size === 0 ? 1 : ids.filter((id) => truth.has(id)).length / truth.size;
}
