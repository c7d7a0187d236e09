/** The counting decorator: requests, failures and bytes per operation; reset; placement under retrying. */
import { describe, expect, it } from 'vitest';
import { counting } from '../../../shared/store/counting.ts';
import { StoreUnavailableError } from '../../../shared/store/errors.ts';
import { MemoryObjectStore } from '../../../shared/store/memory.ts';
import { retrying } from '../../../shared/store/retrying.ts';
import { describeObjectStoreConformance } from './conformance.ts';
import { faultyStore } from './faulty-store.ts';

const bytes = (n: number) => new Uint8Array(n).fill(7);

describeObjectStoreConformance('counting(memory)', () => counting(new MemoryObjectStore()));

describe('counting', () => {
  it('counts requests and bytes per operation and in total', async () => {
    const store = counting(new MemoryObjectStore());
    await store.put('a', bytes(100));
    await store.put('b', bytes(50));
    await store.get('a');
    await store.get('missing');
    await store.getRange('a', 10, 30);
    await store.head('b');
    await store.list('');
    await store.delete('b');
    const { byOperation, total } = store.counts();
    expect(byOperation.put).toEqual({ requests: 2, failures: 0, bytesRead: 0, bytesWritten: 150 });
    expect(byOperation.get).toEqual({ requests: 2, failures: 0, bytesRead: 100, bytesWritten: 0 });
    expect(byOperation.getRange).toEqual({ requests: 1, failures: 0, bytesRead: 30, bytesWritten: 0 });
    expect(byOperation.head.requests).toBe(1);
    expect(byOperation.list.requests).toBe(1);
    expect(byOperation.delete.requests).toBe(1);
    expect(total).toEqual({ requests: 8, failures: 0, bytesRead: 130, bytesWritten: 150 });
  });

  it('counts failures, and bytes only of what succeeded', async () => {
    const store = counting(new MemoryObjectStore());
    await expect(store.getRange('missing', 0, 10)).rejects.toThrow();
    await store.put('k', bytes(5), { ifNoneMatch: '*' });
    await expect(store.put('k', bytes(5), { ifNoneMatch: '*' })).rejects.toThrow();
    const { byOperation } = store.counts();
    expect(byOperation.getRange).toEqual({ requests: 1, failures: 1, bytesRead: 0, bytesWritten: 0 });
    expect(byOperation.put).toEqual({ requests: 2, failures: 1, bytesRead: 0, bytesWritten: 5 });
  });

  it('hands out snapshots and starts again from zero after reset', async () => {
    const store = counting(new MemoryObjectStore());
    await store.put('k', bytes(3));
    const before = store.counts();
    store.reset();
    await store.get('k');
    expect(before.total.requests).toBe(1);
    expect(store.counts().total).toEqual({ requests: 1, failures: 0, bytesRead: 3, bytesWritten: 0 });
  });

  it('inside retrying, counts every attempt that reached the backend', async () => {
    const faulty = faultyStore(new MemoryObjectStore());
    await faulty.put('k', bytes(4));
    faulty.fail('get', { error: new StoreUnavailableError('test', 'get', 'k') });
    const counted = counting(faulty);
    const store = retrying(counted, { sleep: async () => undefined });
    await store.get('k');
    expect(counted.counts().byOperation.get).toEqual({
      requests: 2,
      failures: 1,
      bytesRead: 4,
      bytesWritten: 0,
    });
  });
});
