/**
 * The read planner: from the byte ranges a query needs (in the order it needs them), which range reads
 * to make. Object storage charges a first byte per request (tens of ms) and then streams at tens of MB/s;
 * a Worker has 6 connections and a subrequest budget. So two ranges of one object are read as one when
 * the bytes between them cost less time than a request of its own, and more requests than there are
 * connections only pay off when their bytes are large. The plan minimises modelled latency:
 *
 *   latency(reads) = rounds × ttfb + max over connections of (bytes on it) / bandwidth,
 *   rounds = ceil(reads / connections), reads handed to connections in order
 *
 * plus REQUEST_COST_MS per read (requests are billed and spend the budget, so a merge that costs less
 * than that much latency is worth it), greedily: starting from one read per needed range (touching
 * ranges merged), it merges the two neighbouring reads of one object whose gap is narrowest while that
 * lowers the modelled cost — and always while the plan has more reads than the budget left. Reads keep the order of their first needed
 * range, so what the query needs first arrives first. Ranges of different objects are never merged.
 *
 * @example planRanges([{key: 'a', offset: 0, length: 10}, {key: 'a', offset: 100, length: 10}], model, 50)
 *   // → [{key: 'a', offset: 0, length: 110, parts: [...]}]: a 90-byte gap costs far less than a request
 */
import type { NetworkModelParams } from '../../shared/store/network-model.ts';

export interface NeededRange {
  readonly key: string;
  readonly offset: number;
  readonly length: number;
}

export interface PlannedRead {
  readonly key: string;
  readonly offset: number;
  readonly length: number;
  /** Indices (into the input) of the ranges this read covers. */
  readonly parts: readonly number[];
}

/** The cost model the planner assumes (the network model's parameters; the defaults describe R2). */
export type PlanModel = Pick<NetworkModelParams, 'ttfbMedianMs' | 'bandwidthMBps' | 'connections'>;

/** Modelled milliseconds to make `reads` (bytes each) with `connections`, handed out in order. */
export function modelledLatency(readBytes: readonly number[], model: PlanModel): number {
  if (readBytes.length === 0) return 0;
  const free = new Array<number>(Math.min(model.connections, readBytes.length)).fill(0);
  let end = 0;
  for (const bytes of readBytes) {
    let c = 0;
    for (let i = 1; i < free.length; i++) if (free[i] < free[c]) c = i;
    free[c] += model.ttfbMedianMs + bytes / (model.bandwidthMBps * 1000);
    end = Math.max(end, free[c]);
  }
  return end;
}

/** What one more request is worth avoiding, in milliseconds of modelled latency. */
export const REQUEST_COST_MS = 2;

interface Run {
  key: string;
  offset: number;
  end: number;
  parts: number[];
  /** Position of the earliest needed range it covers (reads go in that order). */
  first: number;
}

export function planRanges(
  needed: readonly NeededRange[],
  model: PlanModel,
  maxReads: number,
): PlannedRead[] {
  // Runs of touching or overlapping ranges, per object, in offset order.
  const byKey = new Map<string, number[]>();
  needed.forEach((r, i) => {
    const list = byKey.get(r.key) ?? [];
    list.push(i);
    byKey.set(r.key, list);
  });
  const runsByKey: Run[][] = [];
  for (const [key, indices] of byKey) {
    indices.sort((a, b) => needed[a].offset - needed[b].offset || a - b);
    const runs: Run[] = [];
    for (const i of indices) {
      const r = needed[i];
      const last = runs[runs.length - 1];
      if (last && r.offset <= last.end) {
        last.end = Math.max(last.end, r.offset + r.length);
        last.parts.push(i);
        last.first = Math.min(last.first, i);
      } else {
        runs.push({ key, offset: r.offset, end: r.offset + r.length, parts: [i], first: i });
      }
    }
    runsByKey.push(runs);
  }
  const ordered = () => runsByKey.flat().sort((a, b) => a.first - b.first);
  const latencyOf = (runs: readonly Run[]) =>
    modelledLatency(
      runs.map((r) => r.end - r.offset),
      model,
    ) +
    REQUEST_COST_MS * runs.length;
  let reads = ordered();
  let latency = latencyOf(reads);
  for (;;) {
    // The narrowest gap between neighbouring reads of one object.
    let best: { list: Run[]; at: number; gap: number } | null = null;
    for (const list of runsByKey) {
      for (let at = 0; at + 1 < list.length; at++) {
        const gap = list[at + 1].offset - list[at].end;
        if (!best || gap < best.gap) best = { list, at, gap };
      }
    }
    if (!best) break;
    const { list, at } = best;
    const a = list[at];
    const b = list[at + 1];
    const merged: Run = {
      key: a.key,
      offset: a.offset,
      end: b.end,
      parts: [...a.parts, ...b.parts],
      first: Math.min(a.first, b.first),
    };
    list.splice(at, 2, merged);
    const candidate = ordered();
    const candidateLatency = latencyOf(candidate);
    if (reads.length <= maxReads && candidateLatency > latency) {
      list.splice(at, 1, a, b); // undo: this merge does not pay
      break;
    }
    reads = candidate;
    latency = candidateLatency;
  }
  return reads.map((r) => ({ key: r.key, offset: r.offset, length: r.end - r.offset, parts: r.parts }));
}
