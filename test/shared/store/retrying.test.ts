/**
 * The retrying decorator: which failures it retries, how long it waits (exponential, full jitter, capped),
 * that it stops, and how it settles a conditional put whose first answer was lost.
 */
import { describe, expect, it } from 'vitest';
import {
  InvalidRangeError,
  NotFoundError,
  PreconditionFailedError,
  StoreRequestError,
  StoreUnavailableError,
} from '../../../shared/store/errors.ts';
import { MemoryObjectStore } from '../../../shared/store/memory.ts';
import { backoffDelayMs, type RetryEvent, retrying } from '../../../shared/store/retrying.ts';
import { describeObjectStoreConformance } from './conformance.ts';
import { faultyStore } from './faulty-store.ts';

const text = (s: string) => new TextEncoder().encode(s);
const unavailable = () => ({ error: new StoreUnavailableError('test', 'get', 'k') });

function setup(maxAttempts = 4) {
  const faulty = faultyStore(new MemoryObjectStore());
  const pauses: number[] = [];
  const events: RetryEvent[] = [];
  const store = retrying(faulty, {
    maxAttempts,
    baseDelayMs: 100,
    maxDelayMs: 350,
    random: () => 0.999,
    sleep: async (ms) => {
      pauses.push(ms);
    },
    onRetry: (event) => events.push(event),
  });
  return { faulty, store, pauses, events };
}

describeObjectStoreConformance('retrying(memory)', () => retrying(new MemoryObjectStore()));

describe('retrying', () => {
  it('retries StoreUnavailableError and returns the first success', async () => {
    const { faulty, store, events } = setup();
    await faulty.put('k', text('v'));
    faulty.fail('get', unavailable(), unavailable());
    expect((await store.get('k'))?.bytes).toEqual(text('v'));
    expect(faulty.calls.get).toBe(1);
    expect(events.map((e) => [e.operation, e.key, e.attempt])).toEqual([
      ['get', 'k', 1],
      ['get', 'k', 2],
    ]);
  });

  it('gives up after maxAttempts with the last error', async () => {
    const { faulty, store, pauses } = setup(3);
    faulty.fail('head', unavailable(), unavailable(), unavailable());
    await expect(store.head('k')).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(pauses.length).toBe(2);
    expect(faulty.calls.head).toBe(0);
    expect(await store.head('k')).toBeNull();
    expect(faulty.calls.head).toBe(1);
  });

  it('never retries permanent failures: not found, precondition, bad range, request errors', async () => {
    for (const error of [
      new NotFoundError('test', 'k'),
      new PreconditionFailedError('test', 'k', 'x'),
      new InvalidRangeError('test', 'k', 0, 1, 0),
      new StoreRequestError('test', 'get', 'k', '403 AccessDenied'),
    ]) {
      const { faulty, store, pauses } = setup();
      faulty.fail('getRange', { error });
      await expect(store.getRange('k', 0, 1)).rejects.toBe(error);
      expect(pauses).toEqual([]);
    }
  });

  it('waits with exponential backoff and full jitter, capped at maxDelayMs', async () => {
    const { faulty, store, pauses } = setup(5);
    faulty.fail('list', unavailable(), unavailable(), unavailable(), unavailable());
    await store.list('');
    // random() = 0.999 → just under each ceiling: 100, 200, 350 (cap), 350
    expect(pauses).toEqual([99, 199, 349, 349]);
    expect(backoffDelayMs(3, 100, 10_000, () => 0)).toBe(0);
    expect(backoffDelayMs(3, 100, 10_000, () => 0.5)).toBe(200);
  });

  it('settles a conditional put whose answer was lost: the retry meets 412, the key holds our bytes', async () => {
    const { faulty, store } = setup();
    faulty.fail('put', { error: new StoreUnavailableError('test', 'put', 'CURRENT'), when: 'after' });
    const info = await store.put('CURRENT', text('v7'), { ifNoneMatch: '*' });
    expect(info.key).toBe('CURRENT');
    expect(await faulty.head('CURRENT')).toEqual(info);
    expect(faulty.calls.put).toBe(2); // the lost write, then the retry that met the precondition
  });

  it('reports PreconditionFailed when the retry finds another writer’s object', async () => {
    const { faulty, store } = setup();
    await faulty.put('CURRENT', text('someone else'));
    faulty.fail('put', { error: new StoreUnavailableError('test', 'put', 'CURRENT') }); // refused, not written
    await expect(store.put('CURRENT', text('mine'), { ifNoneMatch: '*' })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
  });

  it('settles a lost If-Match answer the same way', async () => {
    const { faulty, store } = setup();
    const base = await faulty.put('ptr', text('v1'));
    faulty.fail('put', { error: new StoreUnavailableError('test', 'put', 'ptr'), when: 'after' });
    const info = await store.put('ptr', text('v2'), { ifMatch: base.etag });
    expect((await faulty.get('ptr'))?.info).toEqual(info);
  });

  it('does not settle a first-attempt 412 by reading: the condition simply failed', async () => {
    const { faulty, store } = setup();
    await faulty.put('k', text('same'));
    await expect(store.put('k', text('same'), { ifNoneMatch: '*' })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    expect(faulty.calls.get).toBe(0);
  });
});
