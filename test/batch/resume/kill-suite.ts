/**
 * A run killed with SIGKILL in the middle of encoding, then started again with the same command: the
 * killed run published nothing (no CURRENT, no manifest, no finished part), and the rerun encodes exactly
 * the documents that were not in a flushed cache segment — nothing finished is encoded twice.
 */
import { expect, it } from 'vitest';
import { decodeSegmentHeader, SEGMENT_HEADER_BYTES } from '../../../batch/pipeline/cache-segment.ts';
import { Bm25DocumentEncoder } from '../../../batch/pipeline/document-encoder.ts';
import { cacheSegmentsPrefix } from '../../../batch/pipeline/encoding-cache.ts';
import type { ObjectStore } from '../../../shared/store/object-store.ts';
import { startCli } from '../helpers/cli-process.ts';

export interface KillTarget {
  /** The --store argument the CLI gets. */
  readonly storeArg: string;
  /** The same store, for the test to inspect. */
  readonly store: ObjectStore;
  readonly corpusPath: string;
  readonly documents: number;
  readonly env?: Record<string, string | undefined>;
}

async function cachedEntries(
  store: ObjectStore,
  prefix: string,
): Promise<{ segments: number; entries: number }> {
  const segments = (await store.list(prefix)).filter((o) => o.key.endsWith('.seg'));
  let entries = 0;
  for (const s of segments)
    entries += decodeSegmentHeader(await store.getRange(s.key, 0, SEGMENT_HEADER_BYTES), s.key).count;
  return { segments: segments.length, entries };
}

export function itResumesAfterSigkill(makeTarget: () => Promise<KillTarget>): void {
  it('resumes a SIGKILLed run without re-encoding finished documents or publishing anything partial', async () => {
    const target = await makeTarget();
    const { store } = target;
    const prefix = cacheSegmentsPrefix(new Bm25DocumentEncoder().cacheFingerprint);
    const args = [
      'index',
      '--corpus',
      target.corpusPath,
      '--index',
      'killed',
      '--store',
      target.storeArg,
      '--run',
      'kill-me',
      '--segment-size',
      '300',
      '--batch-size',
      '100',
      '--json',
      '--rejects',
      `${target.corpusPath}.rejects.jsonl`,
    ];
    const first = startCli(args, target.env);
    // Kill as soon as a few segments are durable: mid-encoding, with finished work to resume from.
    for (;;) {
      const { segments } = await cachedEntries(store, prefix);
      if (segments >= 2) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.signal).toBe('SIGKILL');

    const before = await cachedEntries(store, prefix);
    expect(before.entries).toBeGreaterThan(0);
    expect(before.entries).toBeLessThan(target.documents);
    expect(await store.head('indexes/killed/CURRENT')).toBeNull();
    expect(
      (await store.list('indexes/killed/versions/')).filter((o) => o.key.endsWith('manifest.msgpack')),
    ).toEqual([]);
    expect(await store.list('indexes/killed/runs/kill-me/parts/')).toEqual([]);

    const rerun = await startCli(args, target.env).done;
    expect(rerun.code, rerun.stderr).toBe(0);
    const summary = JSON.parse(rerun.stdout);
    expect(summary.documents).toEqual({
      read: target.documents,
      rejected: 0,
      encoded: target.documents - before.entries,
      reused: before.entries,
      indexed: target.documents,
    });
    expect((await store.get('indexes/killed/CURRENT')) !== null).toBe(true);
    const after = await cachedEntries(store, prefix);
    expect(after.entries).toBe(target.documents); // every document encoded exactly once across both runs
  });
}
