/**
 * Whether one version is complete and readable: its manifest decodes and names this index and version,
 * every shard it lists lies inside the version's own folder, exists at the recorded size, has the
 * recorded checksum and a footer, hot region and postings that decode (shared/shard/verify.ts), covers
 * the doc range the manifest says, its doc-values file (filters, stored text) reads back, and every
 * query-side asset exists — and, for encoders this build knows, rebuilds the query encoder with the
 * manifest's fingerprint. Rollback, `csplade verify` and its
 * `--fix` all decide with this one function.
 *
 * Problems are findings, not exceptions, so a report names every one of them; each has a kind:
 * `missing` and `corrupt`/`mismatch` say the version is broken, `unreadable` says the store failed while
 * checking (a transient error proves nothing about the version, and repairs never act on it).
 */
import { createEncoder, loadEncoderAssets, registeredEncoders } from '../../shared/encoders/registry.ts';
import { CspladeError } from '../../shared/errors.ts';
import { manifestKey, versionPrefix } from '../../shared/index/layout.ts';
import type { IndexManifest, ShardEntry } from '../../shared/index/manifest.ts';
import { decodeManifest, ManifestFormatError } from '../../shared/index/manifest-codec.ts';
import { ShardFormatError, UnsupportedShardVersionError } from '../../shared/shard/errors.ts';
import { verifyShardBytes } from '../../shared/shard/verify.ts';
import { InvalidRangeError, NotFoundError } from '../../shared/store/errors.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { docValuesProblems } from './verify-doc-values.ts';
import type { VersionProblem } from './version-problem.ts';

export type { ProblemKind, VersionProblem } from './version-problem.ts';

export interface VersionCheck {
  readonly version: string;
  /** True when no problem was found. */
  readonly ok: boolean;
  /** True when some problem proves the version broken (not merely that the store failed while checking). */
  readonly broken: boolean;
  readonly problems: readonly VersionProblem[];
  readonly manifest?: IndexManifest;
  readonly shardsChecked: number;
  readonly bytesChecked: number;
}

export interface VerifyVersionOptions {
  /**
   * 'deep' (default) reads every shard whole and checks checksum, footer and postings; 'sizes' only
   * checks that every object exists at its recorded size (a cheap re-check of a version verified before).
   */
  readonly depth?: 'deep' | 'sizes';
}

export function describeProblem(p: VersionProblem): string {
  return `${p.key}: ${p.detail}`;
}

export async function verifyVersion(
  store: ObjectStore,
  index: string,
  version: string,
  options: VerifyVersionOptions = {},
): Promise<VersionCheck> {
  const deep = (options.depth ?? 'deep') === 'deep';
  const found: Findings = { problems: [], shardsChecked: 0, bytesChecked: 0 };
  const done = (manifest?: IndexManifest): VersionCheck => ({
    version,
    ok: found.problems.length === 0,
    broken: found.problems.some((p) => p.kind !== 'unreadable'),
    problems: found.problems,
    manifest,
    shardsChecked: found.shardsChecked,
    bytesChecked: found.bytesChecked,
  });
  const key = manifestKey(index, version);
  const manifest = await readManifest(store, key, found.problems);
  if (!manifest) return done();
  if (manifest.index !== index || manifest.version !== version) {
    found.problems.push({
      key,
      kind: 'mismatch',
      detail: `the manifest describes ${manifest.index} ${manifest.version}`,
    });
  }
  const folder = versionPrefix(index, version);
  let docs = 0;
  for (const [s, entry] of manifest.shards.entries()) {
    docs += entry.numDocs;
    await checkShard(store, { entry, s, folder, deep }, found);
  }
  if (docs !== manifest.docs) {
    found.problems.push({
      key,
      kind: 'mismatch',
      detail: `shards hold ${docs} documents, the manifest says ${manifest.docs}`,
    });
  }
  const assetsPresent = await checkAssets(store, manifest, folder, found.problems);
  if (deep && assetsPresent && registeredEncoders().includes(manifest.encoder.name)) {
    await checkQueryEncoder(store, manifest, key, found.problems);
  }
  return done(manifest);
}

/** What the checks found so far. */
interface Findings {
  readonly problems: VersionProblem[];
  shardsChecked: number;
  bytesChecked: number;
}

/** The decoded manifest, or null with the problem recorded. */
async function readManifest(
  store: ObjectStore,
  key: string,
  problems: VersionProblem[],
): Promise<IndexManifest | null> {
  try {
    const object = await store.get(key);
    if (!object) {
      problems.push({ key, kind: 'missing', detail: 'the manifest does not exist' });
      return null;
    }
    return decodeManifest(object.bytes, key);
  } catch (error) {
    problems.push(problemOf(key, error));
    return null;
  }
}

/** One shard of the manifest: its doc-values file, its place, size and (deep) bytes, doc range. */
async function checkShard(
  store: ObjectStore,
  shard: { entry: ShardEntry; s: number; folder: string; deep: boolean },
  found: Findings,
): Promise<void> {
  const { entry, s, folder, deep } = shard;
  if (entry.docValues) {
    try {
      found.problems.push(...(await docValuesProblems(store, entry.docValues, s, folder, deep)));
    } catch (error) {
      found.problems.push(problemOf(entry.docValues.key, error));
    }
  }
  if (!entry.key.startsWith(folder)) {
    // gc deletes a version by its folder: a shard elsewhere could vanish with another version.
    found.problems.push({
      key: entry.key,
      kind: 'mismatch',
      detail: `shard ${s} lies outside the version folder`,
    });
    return;
  }
  try {
    const problem = await shardFileProblem(store, entry, s, deep, found);
    if (problem) found.problems.push({ key: entry.key, ...problem });
  } catch (error) {
    found.problems.push(problemOf(entry.key, error));
  }
}

/** The first problem of a shard's file, or null; counts the shards and bytes it checked. */
async function shardFileProblem(
  store: ObjectStore,
  entry: ShardEntry,
  s: number,
  deep: boolean,
  found: Findings,
): Promise<Omit<VersionProblem, 'key'> | null> {
  const info = await store.head(entry.key);
  if (!info) return { kind: 'missing', detail: `shard ${s} does not exist` };
  if (info.size !== entry.size) {
    return { kind: 'corrupt', detail: `shard ${s} is ${info.size} bytes, the manifest says ${entry.size}` };
  }
  found.shardsChecked++;
  if (!deep) return null;
  const object = await store.get(entry.key);
  if (!object) return { kind: 'missing', detail: `shard ${s} does not exist` };
  found.bytesChecked += object.bytes.length;
  if (object.bytes.length !== entry.size) {
    return {
      kind: 'corrupt',
      detail: `shard ${s} read back ${object.bytes.length} bytes, the manifest says ${entry.size}`,
    };
  }
  const checked = verifyShardBytes(entry.key, object.bytes, {
    checksum: Number.parseInt(entry.checksum, 16),
    hotRegion: entry.hotRegion,
  });
  if (checked.stats.docBase !== entry.docBase || checked.stats.numDocs !== entry.numDocs) {
    return {
      kind: 'mismatch',
      detail: `shard ${s} holds docs ${checked.stats.docBase}+${checked.stats.numDocs}, the manifest says ${entry.docBase}+${entry.numDocs}`,
    };
  }
  return null;
}

/** Every query-side asset lies in the version folder and exists; returns whether all of them do. */
async function checkAssets(
  store: ObjectStore,
  manifest: IndexManifest,
  folder: string,
  problems: VersionProblem[],
): Promise<boolean> {
  let assetsPresent = true;
  for (const [name, assetKey] of Object.entries(manifest.encoder.assets ?? {})) {
    try {
      if (!assetKey.startsWith(folder)) {
        problems.push({
          key: assetKey,
          kind: 'mismatch',
          detail: `asset "${name}" lies outside the version folder`,
        });
        assetsPresent = false;
      } else if (!(await store.head(assetKey))) {
        problems.push({ key: assetKey, kind: 'missing', detail: `asset "${name}" does not exist` });
        assetsPresent = false;
      }
    } catch (error) {
      problems.push(problemOf(assetKey, error));
      assetsPresent = false;
    }
  }
  return assetsPresent;
}

/** The query encoder rebuilds from the assets with the manifest's fingerprint. */
async function checkQueryEncoder(
  store: ObjectStore,
  manifest: IndexManifest,
  key: string,
  problems: VersionProblem[],
): Promise<void> {
  try {
    const encoder = await createEncoder(manifest.encoder.config as { name: string }, {
      assets: await loadEncoderAssets(store, manifest.encoder.assets ?? {}),
      expectedFingerprint: manifest.encoder.fingerprint,
    });
    await encoder.close?.();
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    problems.push(
      isStoreFailure(error)
        ? problemOf(key, error)
        : {
            key,
            kind: 'corrupt',
            detail: `the query encoder cannot be rebuilt from its assets: ${detail}`,
          },
    );
  }
}

function isStoreFailure(error: unknown): boolean {
  return error instanceof CspladeError && /^store_|^invalid_key$/.test(error.code);
}

function problemOf(key: string, error: unknown): VersionProblem {
  const detail = error instanceof Error ? error.message : String(error);
  if (error instanceof NotFoundError) return { key, kind: 'missing', detail };
  if (
    error instanceof ManifestFormatError ||
    error instanceof ShardFormatError ||
    error instanceof UnsupportedShardVersionError ||
    error instanceof InvalidRangeError
  ) {
    return { key, kind: 'corrupt', detail };
  }
  return { key, kind: 'unreadable', detail };
}
