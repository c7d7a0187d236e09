/**
 * Reads a run's parts and checks that they make one complete run: parts 0..N−1 all present, all written
 * for the same worker count, index, encoder and cache fingerprint. Then merges their documents into the
 * global order (corpus line order, which each part already follows), the order doc ids are assigned in.
 */

import { canonicalJson } from '../../shared/encoders/fingerprint.ts';
import type { StoredFields } from '../../shared/shard/stored-fields.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import type { Hash64 } from '../corpus/hash64.ts';
import { RunIncompleteError } from './errors.ts';
import { decodeRunPart, partsPrefix, type RunPart } from './run-part.ts';

export interface RunDocuments {
  readonly parts: RunPart[];
  readonly ids: string[];
  readonly hashes: Hash64[];
  readonly fields: (StoredFields | undefined)[];
}

export async function loadCompleteRun(
  store: ObjectStore,
  index: string,
  run: string,
  expectedWorkers?: number,
): Promise<RunDocuments> {
  const objects = await store.list(partsPrefix(index, run));
  const keys = objects.map((o) => o.key).filter((k) => k.endsWith('.msgpack'));
  if (keys.length === 0)
    throw new RunIncompleteError(run, `no finished parts under ${partsPrefix(index, run)}`);
  const parts = await Promise.all(
    keys.map(async (key) => {
      const object = await store.get(key);
      if (!object) throw new RunIncompleteError(run, `part ${key} disappeared while reading`);
      return decodeRunPart(object.bytes, key);
    }),
  );
  const workers = parts[0].workers;
  const spec = canonicalJson(parts[0].encoderSpec);
  for (const part of parts) {
    if (part.workers !== workers) {
      throw new RunIncompleteError(
        run,
        `parts disagree on the worker count (${workers} and ${part.workers})`,
      );
    }
    if (part.corpusSize !== parts[0].corpusSize) {
      throw new RunIncompleteError(
        run,
        `workers ${parts[0].worker} and ${part.worker} read different corpora (${parts[0].corpusSize} and ${part.corpusSize} bytes): encode the run again from one corpus`,
      );
    }
    if (part.cacheFingerprint !== parts[0].cacheFingerprint || canonicalJson(part.encoderSpec) !== spec) {
      throw new RunIncompleteError(
        run,
        `worker ${part.worker} used a different encoder than worker ${parts[0].worker}`,
      );
    }
  }
  if (expectedWorkers !== undefined && workers !== expectedWorkers) {
    throw new RunIncompleteError(
      run,
      `its parts were written for ${workers} workers, not the ${expectedWorkers} expected`,
    );
  }
  const have = new Set(parts.map((p) => p.worker));
  const missing: number[] = [];
  for (let w = 0; w < workers; w++) if (!have.has(w)) missing.push(w);
  if (missing.length > 0) {
    const shown = missing.slice(0, 10).join(', ') + (missing.length > 10 ? ', …' : '');
    throw new RunIncompleteError(
      run,
      `${missing.length} of ${workers} workers have not finished (missing: ${shown})`,
    );
  }
  parts.sort((a, b) => a.worker - b.worker);

  // k-way merge by line number; each part is sorted by line already.
  const total = parts.reduce((n, p) => n + p.docs.ids.length, 0);
  const order: { part: number; at: number; line: number }[] = [];
  parts.forEach((p, part) => {
    for (let at = 0; at < p.docs.lines.length; at++) order.push({ part, at, line: p.docs.lines[at] });
  });
  order.sort((a, b) => a.line - b.line);
  const ids: string[] = new Array(total);
  const hashes: Hash64[] = new Array(total);
  const fields: (StoredFields | undefined)[] = new Array(total);
  order.forEach(({ part, at }, d) => {
    const docs = parts[part].docs;
    ids[d] = docs.ids[at];
    hashes[d] = { hi: docs.hashes[2 * at], lo: docs.hashes[2 * at + 1] };
    fields[d] = docs.fields[at] ?? undefined;
  });
  return { parts, ids, hashes, fields };
}
