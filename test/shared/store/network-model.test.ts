/**
 * The network model's statistics match its parameters (median and 99th percentile of time to first
 * byte, bandwidth), it never lets more than `connections` requests run at once (the 7th waits), it
 * stops at the subrequest budget like a Worker does, and a seed replays the same draws.
 */
import { describe, expect, it } from 'vitest';
import { MemoryObjectStore } from '../../../shared/store/memory.ts';
import {
  NetworkModel,
  NetworkSession,
  networkModelParams,
  SubrequestBudgetError,
} from '../../../shared/store/network-model.ts';

const quantile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))];

describe('network model', () => {
  it('draws first-byte latency with the configured median and 99th percentile', () => {
    const session = new NetworkSession(networkModelParams(), 7);
    const draws = Array.from({ length: 200_000 }, () => session.drawTtfb());
    expect(quantile(draws, 0.5)).toBeGreaterThan(30 * 0.97);
    expect(quantile(draws, 0.5)).toBeLessThan(30 * 1.03);
    expect(quantile(draws, 0.99)).toBeGreaterThan(150 * 0.94);
    expect(quantile(draws, 0.99)).toBeLessThan(150 * 1.06);
    // A long tail: a few draws are far slower than the median.
    expect(draws.reduce((a, b) => Math.max(a, b), 0)).toBeGreaterThan(300);
  });

  it('transfers at the configured bandwidth and makes a request take first byte + transfer in all', async () => {
    const slept: number[] = [];
    const session = new NetworkSession(networkModelParams({ bandwidthMBps: 55 }), 1, async (ms) => {
      slept.push(ms);
    });
    expect(session.transferMs(5_500_000)).toBeCloseTo(100, 6);
    const store = new MemoryObjectStore();
    await store.put('k', new Uint8Array(550_000));
    const bytes = await session.wrap(store).getRange('k', 0, 550_000);
    expect(bytes.length).toBe(550_000);
    // One sleep: the first-byte draw plus 10 ms of transfer, less what the local read itself took.
    expect(slept).toHaveLength(1);
    expect(slept[0]).toBeGreaterThan(10 - 5);
  });

  it('holds at most `connections` requests in flight; the next one waits for a free connection', async () => {
    const store = new MemoryObjectStore();
    await store.put('k', new Uint8Array(10));
    const session = new NetworkModel({ ttfbMedianMs: 5, ttfbP99Ms: 10, connections: 6 }, 3).session();
    const reads = Array.from({ length: 20 }, () => session.wrap(store).getRange('k', 0, 10));
    await Promise.all(reads);
    expect(session.peakConnections).toBe(6);
    // A Cache API call holds a connection too.
    let inside = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 9 }, () =>
        session.slot(async () => {
          peak = Math.max(peak, ++inside);
          await new Promise((resolve) => setTimeout(resolve, 3));
          inside--;
        }),
      ),
    );
    expect(peak).toBe(6);
  });

  it('fails the request after the last one its plan allows, as a Worker does', async () => {
    const store = new MemoryObjectStore();
    await store.put('k', new Uint8Array(1));
    const session = new NetworkModel({ subrequestBudget: 50 }, 1, async () => {}).session();
    const view = session.wrap(store);
    for (let i = 0; i < 50; i++) await view.get('k');
    await expect(view.get('k')).rejects.toThrow(SubrequestBudgetError);
    expect(session.subrequests).toBe(50);
  });

  it('replays: one seed gives the same draws, request after request', () => {
    const a = new NetworkModel({}, 42);
    const b = new NetworkModel({}, 42);
    for (let r = 0; r < 3; r++) {
      const sa = a.session();
      const sb = b.session();
      const da = Array.from({ length: 10 }, () => sa.drawTtfb());
      expect(Array.from({ length: 10 }, () => sb.drawTtfb())).toEqual(da);
    }
    expect(new NetworkModel({}, 43).session().drawTtfb()).not.toBe(
      new NetworkModel({}, 42).session().drawTtfb(),
    );
  });

  it('refuses parameters that make no sense, naming them', () => {
    expect(() => networkModelParams({ connections: 0 })).toThrow(/connections/);
    expect(() => networkModelParams({ ttfbMedianMs: 50, ttfbP99Ms: 10 })).toThrow(/ttfbP99Ms/);
    expect(() => networkModelParams({ bandwidthMBps: Number.NaN })).toThrow(/bandwidthMBps/);
  });
});
