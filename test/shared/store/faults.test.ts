/**
 * The fault-injecting store: transparent without faults (the conformance suite), each fault behaves as
 * documented (typed errors before or after the call, lost writes, short and damaged reads, hangs that end
 * only by abort or deadline, lying listings, a crash that cuts every later call off from the store), its
 * probabilities hold over many calls, and a seed replays exactly — in Node here, and the same decisions
 * inside workerd (the last test).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { StoreRequestError, StoreUnavailableError } from '../../../shared/store/errors.ts';
import { type FaultEvent, faults } from '../../../shared/store/faults.ts';
import { MemoryObjectStore } from '../../../shared/store/memory.ts';
import { startWorkerdScript } from '../../helpers/workerd-script.ts';
import { describeObjectStoreConformance } from './conformance.ts';

const bytes = (n: number, seed = 7) => Uint8Array.from({ length: n }, (_, i) => (i * seed + 3) % 251);
const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: { code?: string }) => error.code ?? String(error),
  );

describeObjectStoreConformance('faults() with no fault configured', () =>
  faults(new MemoryObjectStore(), { seed: 1 }),
);

describe('faults()', () => {
  it('throws typed errors before the call (nothing happens) or after it (the write landed)', async () => {
    const inner = new MemoryObjectStore();
    const before = faults(inner, { seed: 1, schedule: [{ call: 0, fault: 'error' }] });
    await expect(before.put('a', bytes(4))).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(await inner.head('a')).toBeNull();
    const after = faults(inner, { seed: 1, error: { probability: 1, after: 1 } });
    await expect(after.put('b', bytes(4))).rejects.toThrow(/after the call took effect/);
    expect(await inner.head('b')).not.toBeNull();
    const permanent = faults(inner, { seed: 1, error: { probability: 1, permanent: 1 } });
    await expect(permanent.get('b')).rejects.toBeInstanceOf(StoreRequestError);
  });

  it('loses writes: the put answers like a success and nothing is stored', async () => {
    const inner = new MemoryObjectStore();
    const store = faults(inner, { seed: 3, lose: { probability: 1 } });
    const info = await store.put('k', bytes(10), { ifNoneMatch: '*' });
    expect(info).toMatchObject({ key: 'k', size: 10 });
    expect(await inner.get('k')).toBeNull();
    expect(store.events.map((e) => e.fault)).toEqual(['lose']);
  });

  it('truncates and damages reads of whole objects and ranges', async () => {
    const inner = new MemoryObjectStore();
    await inner.put('k', bytes(1000));
    const short = faults(inner, { seed: 5, truncate: { probability: 1 } });
    expect((await short.get('k'))!.bytes.length).toBeLessThan(1000);
    expect((await short.getRange('k', 100, 200)).length).toBeLessThan(200);
    const bad = faults(inner, { seed: 5, corrupt: { probability: 1 } });
    const got = (await bad.get('k'))!.bytes;
    expect(got.length).toBe(1000);
    expect(got.filter((b, i) => b !== bytes(1000)[i])).toHaveLength(1);
    const range = await bad.getRange('k', 10, 20);
    expect(range.filter((b, i) => b !== bytes(1000)[10 + i])).toHaveLength(1);
    expect(bad.events.map((e) => e.fault)).toEqual(['corrupt', 'corrupt']);
  });

  it('delays through the injected sleep, and hangs until aborted or the deadline', async () => {
    const inner = new MemoryObjectStore();
    const slept: number[] = [];
    const sleep = async (ms: number) => {
      slept.push(ms);
    };
    const slow = faults(inner, { seed: 9, delay: { probability: 1, minMs: 5, maxMs: 50 }, sleep });
    await slow.put('k', bytes(3));
    await slow.get('k');
    expect(slept).toHaveLength(2);
    for (const ms of slept) expect(ms).toBeGreaterThanOrEqual(5);

    const controller = new AbortController();
    const hung = faults(inner, { seed: 9, hang: { probability: 1 }, signal: controller.signal });
    let settled = false;
    const pending = hung.get('k').finally(() => {
      settled = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false);
    controller.abort();
    await expect(pending).rejects.toThrow(/aborted while hanging/);

    const deadline = faults(inner, { seed: 9, hang: { probability: 1 }, hangTimeoutMs: 1_000, sleep });
    await expect(deadline.head('k')).rejects.toThrow(/no answer within 1000 ms/);
  });
});

describe('faults(): listings, crashes, rates and replays', () => {
  it('lies in listings: leaves keys out, lists deleted keys again, makes keys up', async () => {
    const inner = new MemoryObjectStore();
    for (const k of ['p/a', 'p/b', 'p/c', 'p/d']) await inner.put(k, bytes(2));
    const omitting = faults(inner, { seed: 2, listing: { omit: 1 } });
    expect(await omitting.list('p/')).toEqual([]);
    const stale = faults(inner, { seed: 2, listing: { extra: 1 } });
    await stale.delete('p/b');
    expect((await stale.list('p/')).map((o) => o.key)).toEqual(['p/a', 'p/b', 'p/c', 'p/d']);
    const fresh = faults(inner, { seed: 2, listing: { extra: 1 } });
    const listed = (await fresh.list('p/')).map((o) => o.key);
    expect(listed).toHaveLength(4);
    expect(listed.find((k) => k.startsWith('p/phantom-'))).toBeDefined();
  });

  it('crashes: from the given call on, nothing reaches the store', async () => {
    const inner = new MemoryObjectStore();
    const store = faults(inner, { seed: 4, crashAfterCalls: 2 });
    await store.put('one', bytes(1));
    await store.put('two', bytes(1));
    await expect(store.put('three', bytes(1))).rejects.toThrow(/injected crash/);
    await expect(store.delete('one')).rejects.toBeInstanceOf(StoreUnavailableError);
    expect((await inner.list('')).map((o) => o.key)).toEqual(['one', 'two']);
  });

  it('applies faults only to the operations named, at the rates asked for', async () => {
    const inner = new MemoryObjectStore();
    await inner.put('k', bytes(8));
    const onlyPuts = faults(inner, { seed: 6, error: { probability: 1 }, operations: ['put'] });
    expect(await codeOf(onlyPuts.get('k'))).toBe('ok');
    expect(await codeOf(onlyPuts.put('x', bytes(1)))).toBe('store_unavailable');
    const rated = faults(inner, { seed: 6, error: { probability: 0.2 } });
    let failures = 0;
    for (let i = 0; i < 2_000; i++) if ((await codeOf(rated.head('k'))) !== 'ok') failures++;
    expect(failures).toBeGreaterThan(320);
    expect(failures).toBeLessThan(480);
  });

  it('replays the same faults from the same seed, and others from another', async () => {
    const run = async (seed: number) => {
      const inner = new MemoryObjectStore();
      const store = faults(inner, {
        seed,
        error: { probability: 0.2, after: 0.5 },
        lose: { probability: 0.2 },
        corrupt: { probability: 0.2 },
        truncate: { probability: 0.1 },
        listing: { omit: 0.2, extra: 0.3 },
      });
      const outcomes: string[] = [];
      for (let i = 0; i < 60; i++) {
        const key = `k/${i % 7}`;
        outcomes.push(await codeOf(store.put(key, bytes(50, i))));
        outcomes.push(await codeOf(store.get(key).then((o) => o?.bytes.length)));
        if (i % 5 === 0) outcomes.push(await codeOf(store.list('k/').then((l) => l.length)));
        if (i % 9 === 0) outcomes.push(await codeOf(store.delete(key)));
      }
      return {
        outcomes,
        events: store.events.map((e: FaultEvent) => `${e.call}:${e.operation}:${e.fault}:${e.detail ?? ''}`),
      };
    };
    const a = await run(42);
    expect(await run(42)).toEqual(a);
    expect(a.events.length).toBeGreaterThan(20);
    expect((await run(43)).events).not.toEqual(a.events);
  });
});

const workerSource = `
import { faults } from '../../../shared/store/faults.ts';
import { R2BindingObjectStore } from '../../../shared/store/r2-binding.ts';
import { script } from './faults-script.ts';

export default {
  async fetch(request, env) {
    const seed = Number(new URL(request.url).searchParams.get('seed'));
    const store = faults(new R2BindingObjectStore(env.BUCKET, { name: 'BUCKET' }), { seed, ...script.options });
    await script.run(store);
    return Response.json(store.events.map((e) => e.call + ':' + e.operation + ':' + e.fault + ':' + (e.detail ?? '')));
  },
};`;

const miniflare = await startWorkerdScript(workerSource, import.meta.dirname, { r2Buckets: ['BUCKET'] });
afterAll(() => miniflare.dispose());

describe('faults() inside workerd', () => {
  it('runs there with no Node API and draws the same faults from the same seed as in Node', async () => {
    const { script } = await import('./faults-script.ts');
    const node = faults(new MemoryObjectStore(), { seed: 77, ...script.options });
    await script.run(node);
    const expected = node.events.map((e) => `${e.call}:${e.operation}:${e.fault}:${e.detail ?? ''}`);
    expect(expected.length).toBeGreaterThan(10);
    const response = await miniflare.dispatchFetch('http://faults.test/?seed=77');
    expect(await response.json()).toEqual(expected);
  });
});
