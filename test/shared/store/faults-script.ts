/**
 * One fixed sequence of store calls and fault options, run by faults.test.ts both in Node and inside workerd:
 * the same seed must draw the same faults in both runtimes. Every call's failure is caught, so the sequence
 * of calls (and so of draws) does not depend on which ones failed.
 */
import type { FaultOptions } from '../../../shared/store/faults.ts';
import type { ObjectStore } from '../../../shared/store/object-store.ts';

export const script = {
  options: {
    delay: { probability: 0.3, maxMs: 2 },
    error: { probability: 0.15, after: 0.5 },
    lose: { probability: 0.15 },
    corrupt: { probability: 0.2 },
    truncate: { probability: 0.1 },
    listing: { omit: 0.2, extra: 0.3 },
  } satisfies Omit<FaultOptions, 'seed'>,
  async run(store: ObjectStore): Promise<void> {
    const ignore = () => undefined;
    for (let i = 0; i < 24; i++) {
      const key = `s/${i % 5}`;
      const body = Uint8Array.from({ length: 40 + i }, (_, j) => (i + j) % 256);
      await store.put(key, body).catch(ignore);
      await store.get(key).catch(ignore);
      await store.getRange(key, 0, 8).catch(ignore);
      if (i % 4 === 0) await store.list('s/').catch(ignore);
      if (i % 6 === 0) await store.delete(key).catch(ignore);
    }
  },
};
