/**
 * `csplade verify` as a function: for each index (or one), whether CURRENT decodes and names a complete
 * version, and whether every published version (or one) is complete — manifest, every shard's size,
 * checksum, footer and postings, assets (verify-version.ts). A version found broken is checked a second
 * time: a verdict both reads agree on is a finding, one they disagree on is reported as the store
 * answering inconsistently, never as a broken version.
 *
 * With `fix`, a broken CURRENT — missing while versions exist, garbage, naming a missing or incomplete
 * version — is repointed to the newest complete version that is not tombstoned, with a conditional
 * write against the very CURRENT found broken (read a second time to confirm), so a CURRENT that anyone
 * repaired or moved meanwhile is left alone. A CURRENT that only could not be read (store errors) is
 * never "fixed".
 */
import { currentKey, manifestKey } from '../../shared/index/layout.ts';
import { ManifestFormatError } from '../../shared/index/manifest-codec.ts';
import { PreconditionFailedError } from '../../shared/store/errors.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { PipelineConfigError } from '../pipeline/errors.ts';
import {
  decodeLifecyclePointer,
  encodeLifecyclePointer,
  isTombstoned,
  type LifecyclePointer,
  movedPointer,
} from './current-pointer.ts';
import { type VersionCheck, verifyVersion } from './verify-version.ts';
import { assertIndexName, listVersions } from './versions.ts';

export type CurrentStatus =
  /** CURRENT decodes and names a complete version. */
  | 'ok'
  /** No CURRENT and no published version: nothing to serve yet (not broken). */
  | 'empty'
  /** No CURRENT although published versions exist. */
  | 'absent'
  | 'garbage'
  | 'names_missing_version'
  | 'names_broken_version'
  /** The store failed while CURRENT or its version was read: nothing proven either way. */
  | 'unreadable';

export interface CurrentCheck {
  readonly status: CurrentStatus;
  readonly version: string | null;
  readonly detail?: string;
}

export type FixOutcome =
  | { readonly fixed: true; readonly from: string | null; readonly to: string }
  | { readonly fixed: false; readonly reason: string };

export interface IndexReport {
  readonly index: string;
  readonly ok: boolean;
  readonly current: CurrentCheck;
  readonly versions: readonly VersionCheck[];
  /** Version folders without a manifest (a publish at work, or one that died: gc's business). */
  readonly unpublished: readonly string[];
  readonly fix?: FixOutcome;
}

export interface StoreReport {
  readonly ok: boolean;
  readonly indexes: readonly IndexReport[];
}

export interface VerifyOptions {
  /** Only this index (default: every index in the store). */
  readonly index?: string;
  /** Only this version of `index` (CURRENT is checked anyway). */
  readonly version?: string;
  readonly fix?: boolean;
  readonly now?: () => number;
}

const BROKEN: ReadonlySet<CurrentStatus> = new Set([
  'absent',
  'garbage',
  'names_missing_version',
  'names_broken_version',
]);

export function currentIsBroken(check: CurrentCheck): boolean {
  return BROKEN.has(check.status);
}

export async function verifyStore(store: ObjectStore, options: VerifyOptions = {}): Promise<StoreReport> {
  if (options.version !== undefined && options.index === undefined)
    throw new PipelineConfigError('--version needs --index');
  if (options.version !== undefined && options.fix)
    throw new PipelineConfigError(
      '--fix checks every version to choose the newest complete one: drop --version',
    );
  let indexes: string[];
  if (options.index !== undefined) {
    assertIndexName(options.index);
    indexes = [options.index];
  } else {
    indexes = (await store.listPrefixes('indexes/')).map((p) => p.slice('indexes/'.length, -1));
  }
  const reports: IndexReport[] = [];
  for (const index of indexes) reports.push(await verifyIndex(store, index, options));
  return { ok: reports.every((r) => r.ok), indexes: reports };
}

async function verifyIndex(store: ObjectStore, index: string, options: VerifyOptions): Promise<IndexReport> {
  const listing = await listVersions(store, index);
  const published = listing.filter((v) => v.hasManifest).map((v) => v.version);
  const unpublished = listing.filter((v) => !v.hasManifest).map((v) => v.version);
  const read = await readPointer(store, index);
  const named = read.kind === 'pointer' ? read.pointer.version : null;
  const wanted = options.version !== undefined ? [options.version] : published;
  const toCheck = [...new Set(named ? [...wanted, named] : wanted)];
  const checks = new Map<string, VersionCheck>();
  for (const version of toCheck) checks.set(version, await checkTwice(store, index, version));
  const current = currentCheck(read, published.length > 0, named ? checks.get(named) : undefined);
  // CURRENT's version is reported under `current`; among the versions only when it was asked for.
  const versions = toCheck
    .filter((v) => wanted.includes(v))
    .map((v) => checks.get(v)!)
    .map(({ manifest: _, ...check }) => check);
  let report: IndexReport = {
    index,
    ok: current.status === 'ok' || current.status === 'empty' ? versions.every((v) => v.ok) : false,
    current,
    versions,
    unpublished,
  };
  if (options.fix && currentIsBroken(current)) {
    const fix = await repoint(store, index, read, published, checks, options.now ?? Date.now);
    report = { ...report, fix };
    if (fix.fixed) {
      const fixedCurrent: CurrentCheck = { status: 'ok', version: fix.to };
      report = { ...report, current: fixedCurrent, ok: versions.every((v) => v.ok) };
    }
  }
  return report;
}

type PointerRead =
  | { readonly kind: 'absent' }
  | { readonly kind: 'pointer'; readonly pointer: LifecyclePointer; readonly etag: string }
  | { readonly kind: 'garbage'; readonly detail: string; readonly etag: string }
  | { readonly kind: 'unreadable'; readonly detail: string };

async function readPointer(store: ObjectStore, index: string): Promise<PointerRead> {
  let object: Awaited<ReturnType<ObjectStore['get']>>;
  try {
    object = await store.get(currentKey(index));
  } catch (error) {
    return { kind: 'unreadable', detail: (error as Error).message };
  }
  if (!object) return { kind: 'absent' };
  try {
    return {
      kind: 'pointer',
      pointer: decodeLifecyclePointer(object.bytes, currentKey(index)),
      etag: object.info.etag,
    };
  } catch (error) {
    if (!(error instanceof ManifestFormatError)) throw error;
    return { kind: 'garbage', detail: error.message, etag: object.info.etag };
  }
}

function currentCheck(
  read: PointerRead,
  hasPublished: boolean,
  named: VersionCheck | undefined,
): CurrentCheck {
  switch (read.kind) {
    case 'absent':
      return hasPublished
        ? { status: 'absent', version: null, detail: 'no CURRENT, but the index has published versions' }
        : { status: 'empty', version: null };
    case 'unreadable':
      return { status: 'unreadable', version: null, detail: read.detail };
    case 'garbage':
      return { status: 'garbage', version: null, detail: read.detail };
    case 'pointer': {
      const version = read.pointer.version;
      if (!named || named.ok) return { status: 'ok', version };
      if (!named.broken) return { status: 'unreadable', version, detail: named.problems[0]?.detail };
      const missingManifest = named.problems.some(
        (p) => p.kind === 'missing' && p.key.endsWith('manifest.msgpack'),
      );
      return {
        status: missingManifest ? 'names_missing_version' : 'names_broken_version',
        version,
        detail: named.problems.map((p) => `${p.key}: ${p.detail}`).join('; '),
      };
    }
  }
}

/** A broken verdict stands only when a second read agrees; otherwise the store answered inconsistently. */
async function checkTwice(store: ObjectStore, index: string, version: string): Promise<VersionCheck> {
  const first = await verifyVersion(store, index, version);
  if (!first.broken) return first;
  const second = await verifyVersion(store, index, version);
  if (second.broken) return second;
  return {
    ...second,
    ok: false,
    broken: false,
    problems: [
      ...second.problems,
      {
        key: manifestKey(index, version),
        kind: 'unreadable',
        detail: `a first read found problems a second read did not (${first.problems[0]?.detail}): the store answered inconsistently`,
      },
    ],
  };
}

async function repoint(
  store: ObjectStore,
  index: string,
  read: PointerRead,
  published: readonly string[],
  checks: ReadonlyMap<string, VersionCheck>,
  now: () => number,
): Promise<FixOutcome> {
  if (read.kind === 'unreadable') return { fixed: false, reason: 'CURRENT could not be read' };
  // The CURRENT found broken must still be there, byte for byte, before it is replaced.
  const again = await readPointer(store, index);
  const etagOf = (r: PointerRead) => (r.kind === 'pointer' || r.kind === 'garbage' ? r.etag : null);
  if (again.kind !== read.kind || etagOf(again) !== etagOf(read)) {
    return { fixed: false, reason: 'CURRENT changed while verify ran: run verify again' };
  }
  const pointer = read.kind === 'pointer' ? read.pointer : null;
  const target = [...published]
    .reverse()
    .find((v) => v !== pointer?.version && checks.get(v)?.ok && !(pointer && isTombstoned(pointer, v)));
  if (!target) return { fixed: false, reason: 'no complete version to repoint CURRENT to' };
  const next = movedPointer(pointer, target, manifestKey(index, target), now());
  const etag = etagOf(read);
  try {
    await store.put(
      currentKey(index),
      encodeLifecyclePointer(next),
      etag === null
        ? { ifNoneMatch: '*', contentType: 'application/json' }
        : { ifMatch: etag, contentType: 'application/json' },
    );
  } catch (error) {
    if (error instanceof PreconditionFailedError)
      return { fixed: false, reason: 'CURRENT changed while verify ran: run verify again' };
    throw error;
  }
  return { fixed: true, from: pointer?.version ?? null, to: target };
}
