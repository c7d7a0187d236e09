/**
 * Issue 14, case 1: `gc --keep 1` running while `rollback` points CURRENT at an older version must never
 * delete the version CURRENT names. In-process, many interleavings: each round starts both at once over a
 * fault-injecting view of the store whose seeded random delays (0–3 ms per call) reorder their requests
 * differently. Through the CLI, a few rounds of the two real processes started together on a folder store.
 * After every round CURRENT must name a complete version (manifest, every shard's checksum and footer,
 * assets), whichever of the two won.
 */
import { cp } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectGarbage } from '../../../batch/publish/gc.ts';
import { rollback } from '../../../batch/publish/rollback.ts';
import { mulberry32 } from '../../../shared/random.ts';
import { faults } from '../../../shared/store/faults.ts';
import { LocalFolderObjectStore } from '../../../shared/store/local-folder.node.ts';
import { MemoryObjectStore } from '../../../shared/store/memory.ts';
import type { ObjectStore } from '../../../shared/store/object-store.ts';
import { runCli } from '../helpers/cli-process.ts';
import { currentVerdict, publishCorpus, writeTinyCorpus } from '../helpers/lifecycle.ts';
import { tempDir } from '../helpers/pipeline-fixtures.ts';

const INDEX = 'race';
const dir = await tempDir('gc-rollback');
afterAll(() => dir.remove());
let template: MemoryObjectStore;
let versions: string[];

beforeAll(async () => {
  template = new MemoryObjectStore();
  versions = [];
  for (let seed = 1; seed <= 10; seed++) {
    versions.push(await publishCorpus(template, INDEX, `run${seed}`, await writeTinyCorpus(dir.path, seed)));
  }
  // The same ten versions in a folder store, for the CLI rounds.
  const folder = new LocalFolderObjectStore(`${dir.path}/template`);
  for (const { key } of await template.list('')) await folder.put(key, (await template.get(key))!.bytes);
});

const LAGS_MS = [0, 150, 300, 450];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const outcome = (results: PromiseSettledResult<unknown>[]) =>
  results
    .map((r) => (r.status === 'fulfilled' ? 'ok' : ((r.reason as { code?: string }).code ?? 'error')))
    .join('/');

async function copyOf(source: ObjectStore): Promise<MemoryObjectStore> {
  const copy = new MemoryObjectStore();
  for (const { key } of await source.list('')) await copy.put(key, (await source.get(key))!.bytes);
  return copy;
}

describe('gc racing a rollback', () => {
  it('never deletes what CURRENT names, over many in-process interleavings', async () => {
    const rounds = 40;
    const violations: string[] = [];
    let rolledBack = 0;
    let collected = 0;
    const outcomes = new Map<string, number>();
    for (let seed = 1; seed <= rounds; seed++) {
      const store = await copyOf(template);
      const random = mulberry32(seed);
      const target = versions[Math.floor(random() * 9)];
      const jitter = { probability: 0.6, maxMs: 3 };
      // gc starts somewhere within the rollback's verification, so every phase of one meets the other.
      const gcStart = Math.floor(random() * 25);
      const results = await Promise.allSettled([
        rollback(faults(store, { seed, delay: jitter }), INDEX, target),
        sleep(gcStart).then(() =>
          collectGarbage(faults(store, { seed: seed + 10_000, delay: jitter }), INDEX, {
            keep: 1,
            graceMs: 0,
            runMaxAgeMs: null,
            cacheMaxAgeMs: null,
          }),
        ),
      ]);
      outcomes.set(outcome(results), (outcomes.get(outcome(results)) ?? 0) + 1);
      if (results[0].status === 'fulfilled') rolledBack++;
      if (results[1].status === 'fulfilled' && results[1].value.deleted.length > 0) collected++;
      const verdict = await currentVerdict(store, INDEX);
      if (!verdict.ok)
        violations.push(`seed ${seed}: CURRENT ${verdict.version}: ${verdict.problems.join('; ')}`);
    }
    expect(violations, JSON.stringify([...outcomes])).toEqual([]);
    // Both sides really ran: rollbacks went through and gc deleted versions in the same rounds.
    expect(rolledBack, JSON.stringify([...outcomes])).toBeGreaterThan(rounds / 4);
    expect(collected, JSON.stringify([...outcomes])).toBeGreaterThan(rounds / 4);
  });

  it('never deletes what CURRENT names, with the two CLI processes started together', async () => {
    const violations: string[] = [];
    const outcomes: string[] = [];
    for (let round = 1; round <= LAGS_MS.length; round++) {
      const path = `${dir.path}/cli-${round}`;
      await cp(`${dir.path}/template`, path, { recursive: true });
      const store = ['--store', path, '--index', INDEX];
      // gc starts first; the rollback follows by a different lag each round, so it lands before, during and
      // after gc's deletions. v9 is what gc (keep 1) deletes last: the longest window for a rollback to it.
      const gcRun = runCli([
        'gc',
        ...store,
        '--keep',
        '1',
        '--grace',
        '0s',
        '--run-max-age',
        'never',
        '--cache-max-age',
        'never',
      ]);
      await sleep(LAGS_MS[round - 1]);
      const back = await runCli(['rollback', ...store, '--to', '9']);
      const gc = await gcRun;
      for (const result of [back, gc]) {
        // Either may lose a race (exit 1 with a clear error); nothing may crash.
        expect(
          result.code === 0 ||
            /\[(publish_conflict|version_condemned|version_incomplete|unknown_version)\]/.test(result.stderr),
          result.stderr,
        ).toBe(true);
      }
      outcomes.push(`rollback ${back.code}, gc ${gc.code}`);
      const verdict = await currentVerdict(new LocalFolderObjectStore(path), INDEX);
      if (!verdict.ok)
        violations.push(`round ${round}: CURRENT ${verdict.version}: ${verdict.problems.join('; ')}`);
    }
    expect(violations, outcomes.join(' / ')).toEqual([]);
  });
});
