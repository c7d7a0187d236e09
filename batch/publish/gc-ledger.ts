/**
 * How gc tells an abandoned run (or an unused cache fingerprint) from one still at work without trusting
 * object timestamps, which the ObjectStore seam does not carry and which come from the store's clock, not
 * ours. gc records, per candidate, when it first saw it unreferenced and a signature of its objects (keys,
 * sizes, etags). A candidate is reclaimed once it has stayed unreferenced *and unchanged* for the
 * configured age; any change (a worker finishing its part, a new cache segment) starts its clock again.
 * So "older than N days" means "seen idle by gc for N days": never earlier than the objects' own age
 * would say, and a store gc has never looked at loses nothing on the first pass.
 *
 * The ledger is a small JSON object written with a conditional put (If-Match / If-None-Match); when two
 * gcs race, the loser's observations are dropped and it reclaims nothing this pass.
 */

import { PreconditionFailedError } from '../../shared/store/errors.ts';
import type { ObjectInfo, ObjectStore } from '../../shared/store/object-store.ts';
import { hashString64, hex64 } from '../corpus/hash64.ts';

const FORMAT = 'csplade.gc-ledger';

interface LedgerEntry {
  readonly firstSeen: number;
  readonly signature: string;
}

export interface Observation {
  /** Candidates that stayed unchanged and unreferenced for at least the age: reclaim them now. */
  readonly due: string[];
  /** Candidates seen but not yet old enough, with the ms left. */
  readonly waiting: { name: string; remainingMs: number }[];
}

/** A signature of a group of objects: any added, removed or rewritten object changes it. */
export function signatureOf(objects: readonly ObjectInfo[]): string {
  const lines = objects.map((o) => `${o.key}\t${o.size}\t${o.etag}`).sort();
  return `${objects.length}:${hex64(hashString64(lines.join('\n')))}`;
}

/** Groups listed objects by the path segment right below `prefix` (a run, a cache fingerprint). */
export function groupBelow(prefix: string, objects: readonly ObjectInfo[]): Map<string, ObjectInfo[]> {
  const groups = new Map<string, ObjectInfo[]>();
  for (const object of objects) {
    if (!object.key.startsWith(prefix)) continue;
    const rest = object.key.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash <= 0) continue; // a loose object directly under the prefix is no group
    const name = rest.slice(0, slash);
    const group = groups.get(name);
    if (group) group.push(object);
    else groups.set(name, [object]);
  }
  return groups;
}

/**
 * Records `candidates` (name → signature) in the ledger at `key` and says which are due. Names not among
 * the candidates are forgotten. Returns no due names when the ledger could not be written (a concurrent gc
 * wrote it first), so a reclaim decision always rests on a ledger that was actually stored.
 */
export async function observe(
  store: ObjectStore,
  key: string,
  candidates: ReadonlyMap<string, string>,
  maxAgeMs: number,
  now: number,
): Promise<Observation & { written: boolean }> {
  const { entries, etag } = await readLedger(store, key);
  const next = new Map<string, LedgerEntry>();
  const due: string[] = [];
  const waiting: { name: string; remainingMs: number }[] = [];
  for (const [name, signature] of candidates) {
    const seen = entries.get(name);
    const entry = seen && seen.signature === signature ? seen : { firstSeen: now, signature };
    next.set(name, entry);
    const remainingMs = entry.firstSeen + maxAgeMs - now;
    if (remainingMs <= 0) due.push(name);
    else waiting.push({ name, remainingMs });
  }
  const unchanged =
    next.size === entries.size &&
    [...next].every(
      ([name, e]) =>
        entries.get(name)?.firstSeen === e.firstSeen && entries.get(name)?.signature === e.signature,
    );
  if (unchanged) return { due, waiting, written: true };
  if (next.size === 0 && etag === null) return { due, waiting, written: true };
  const body = {
    format: FORMAT,
    version: 1,
    entries: [...next].map(([name, e]) => ({
      name,
      firstSeen: new Date(e.firstSeen).toISOString(),
      signature: e.signature,
    })),
  };
  try {
    await store.put(key, new TextEncoder().encode(`${JSON.stringify(body)}\n`), {
      ...(etag === null ? { ifNoneMatch: '*' as const } : { ifMatch: etag }),
      contentType: 'application/json',
    });
  } catch (error) {
    if (error instanceof PreconditionFailedError) return { due: [], waiting, written: false };
    throw error;
  }
  return { due, waiting, written: true };
}

/** The ledger's entries; an unreadable ledger counts as empty (every clock starts again: the safe side). */
async function readLedger(
  store: ObjectStore,
  key: string,
): Promise<{ entries: Map<string, LedgerEntry>; etag: string | null }> {
  const object = await store.get(key);
  const entries = new Map<string, LedgerEntry>();
  if (!object) return { entries, etag: null };
  try {
    const value = JSON.parse(new TextDecoder().decode(object.bytes)) as {
      format?: unknown;
      entries?: unknown;
    };
    if (value?.format === FORMAT && Array.isArray(value.entries)) {
      for (const e of value.entries as { name?: unknown; firstSeen?: unknown; signature?: unknown }[]) {
        const firstSeen = typeof e?.firstSeen === 'string' ? Date.parse(e.firstSeen) : Number.NaN;
        if (typeof e.name === 'string' && typeof e.signature === 'string' && Number.isFinite(firstSeen))
          entries.set(e.name, { firstSeen, signature: e.signature });
      }
    }
  } catch {
    // Garbage: start every clock again, and overwrite it.
  }
  return { entries, etag: object.info.etag };
}
