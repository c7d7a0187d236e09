/**
 * Hedged store reads (edge/search/hedging.ts): a slow read is sent once more and the first answer wins;
 * a fast one is not; no hedge without a spare connection or subrequest; errors end the read unless the
 * other attempt still runs. And, through the network model, hedging cuts the tail of a wave of reads.
 */
import { describe, expect, it } from 'vitest';
import type { QueryIo } from '../../edge/search/byte-tiers.ts';
import {
  hedgeAfterMs,
  hedgeAfterQuantile,
  hedged,
  normalQuantile,
  ttfbQuantileMs,
} from '../../edge/search/hedging.ts';
import { meteredStore } from '../../edge/search/metered-store.ts';
import { MemoryObjectStore } from '../../shared/store/memory.ts';
import { NetworkSession } from '../../shared/store/network-model.ts';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function ioWith(budget = 50): QueryIo {
  const { store, cost } = meteredStore(new MemoryObjectStore());
  return { store, cost, budgetLeft: () => budget - cost.subrequests, defer: () => {} };
}

/** A read whose n-th call takes delays[n] ms and answers its call number (or fails when delay < 0). */
function scripted(delays: number[]) {
  let calls = 0;
  const read = async () => {
    const n = calls++;
    const ms = delays[n];
    await sleep(Math.abs(ms));
    if (ms < 0) throw new Error(`call ${n} failed`);
    return n;
  };
  return { read, calls: () => calls };
}

describe('hedged', () => {
  const policy = hedgeAfterMs(20, 55);

  it('sends a slow read again and answers with the first to finish', async () => {
    const io = ioWith();
    const { read, calls } = scripted([200, 5]);
    const started = Date.now();
    expect(await hedged(io, policy, 6, 0, read)).toBe(1);
    expect(Date.now() - started).toBeLessThan(150);
    expect(calls()).toBe(2);
    expect(io.hedges).toBe(1);
  });

  it('does not send a read that answers in time again', async () => {
    const io = ioWith();
    const { read, calls } = scripted([2, 2]);
    expect(await hedged(io, policy, 6, 0, read)).toBe(0);
    await sleep(40);
    expect(calls()).toBe(1);
    expect(io.hedges).toBeUndefined();
  });

  it('waits longer for a larger read (its transfer time)', async () => {
    const io = ioWith();
    const { read, calls } = scripted([60, 1]);
    // 20 ms + 2.75 MB at 55 MB/s = 70 ms: the first attempt finishes before a hedge is due.
    expect(await hedged(io, policy, 6, 2_750_000, read)).toBe(0);
    expect(calls()).toBe(1);
  });

  it('sends no hedge without a spare connection or a subrequest left', async () => {
    const busy = ioWith();
    const slow = scripted([80, 80, 1]);
    const both = await Promise.all([
      hedged(busy, policy, 2, 0, slow.read),
      hedged(busy, policy, 2, 0, slow.read),
    ]);
    expect(both.sort()).toEqual([0, 1]);
    expect(slow.calls()).toBe(2); // two reads in flight on two connections: neither hedged

    const broke = ioWith(0);
    const late = scripted([60, 1]);
    expect(await hedged(broke, policy, 6, 0, late.read)).toBe(0);
    expect(late.calls()).toBe(1);
  });

  it('fails with the first error when the only attempt fails, and survives one failed attempt of two', async () => {
    const io = ioWith();
    await expect(hedged(io, policy, 6, 0, scripted([-1]).read)).rejects.toThrow('call 0 failed');
    const rescued = scripted([100, -5]);
    await expect(hedged(io, policy, 6, 0, rescued.read)).resolves.toBe(0); // the hedge failed, the first answered
    const lost = scripted([-60, -5]);
    await expect(hedged(io, policy, 6, 0, lost.read)).rejects.toThrow('call 1 failed');
  });

  it('without a policy, reads once', async () => {
    const io = ioWith();
    const { read, calls } = scripted([50, 1]);
    expect(await hedged(io, undefined, 6, 0, read)).toBe(0);
    expect(calls()).toBe(1);
  });
});

describe('the hedge delay', () => {
  it('is the quantile of the modelled first byte plus the transfer', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.99)).toBeCloseTo(2.326347874, 6);
    expect(normalQuantile(0.8)).toBeCloseTo(0.841621234, 6);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326347874, 6);
    const model = { ttfbMedianMs: 30, ttfbP99Ms: 150, bandwidthMBps: 55, connections: 6 };
    expect(ttfbQuantileMs(model, 0.5)).toBeCloseTo(30, 6);
    expect(ttfbQuantileMs(model, 0.99)).toBeCloseTo(150, 6);
    const p80 = ttfbQuantileMs(model, 0.8);
    expect(p80).toBeGreaterThan(50);
    expect(p80).toBeLessThan(60);
    expect(hedgeAfterQuantile(model, 0.8).afterMs(550_000)).toBeCloseTo(p80 + 10, 6);
    expect(() => normalQuantile(1)).toThrow(RangeError);
  });
});

describe('hedging under the network model', () => {
  it('cuts the tail of waves of parallel reads (the slowest of 4, 40 waves)', async () => {
    const model = {
      ttfbMedianMs: 30,
      ttfbP99Ms: 150,
      bandwidthMBps: 55,
      connections: 6,
      subrequestBudget: 10_000,
    };
    // Time scaled down 4× so the test stays short while timers stay coarse next to the delays.
    const SCALE = 4;
    const scaled = (ms: number) => sleep(ms / SCALE);
    const store = new MemoryObjectStore();
    await store.put('k', new Uint8Array(16));
    const waveMs = async (seed: number, policy?: ReturnType<typeof hedgeAfterQuantile>) => {
      const session = new NetworkSession(model, seed, scaled);
      const { store: metered, cost } = meteredStore(session.wrap(store));
      const io: QueryIo = { store: metered, cost, budgetLeft: () => 10_000, defer: () => {}, session };
      const scaledPolicy = policy && { afterMs: (b: number) => policy.afterMs(b) / SCALE };
      const started = performance.now();
      // 4 reads on 6 connections: room for hedges, as in a query's first wave of records.
      await Promise.all(
        Array.from({ length: 4 }, () => hedged(io, scaledPolicy, 6, 16, () => metered.getRange('k', 0, 16))),
      );
      return (performance.now() - started) * SCALE;
    };
    const plain: number[] = [];
    const hedgedMs: number[] = [];
    for (let seed = 1; seed <= 40; seed++) {
      plain.push(await waveMs(seed));
      hedgedMs.push(await waveMs(seed, hedgeAfterQuantile(model, 0.8)));
    }
    const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)];
    // Same seeds: the first attempts draw the same first bytes; hedges only replace the slow ones.
    expect(p90(hedgedMs)).toBeLessThan(p90(plain) * 0.85);
  });
});
