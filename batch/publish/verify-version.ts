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
import type { IndexManifest } from '../../shared/index/manifest.ts';
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
  const problems: VersionProblem[] = [];
  let shardsChecked = 0;
  let bytesChecked = 0;
  const done = (manifest?: IndexManifest): VersionCheck => ({
    version,
    ok: problems.length === 0,
    broken: problems.some((p) => p.kind !== 'unreadable'),
    problems,
    manifest,
    shardsChecked,
    bytesChecked,
  });
  const key = manifestKey(index, version);
  let manifest: IndexManifest;
  try {
    const object = await store.get(key);
    if (!object) {
      problems.push({ key, kind: 'missing', detail: 'the manifest does not exist' });
      return done();
    }
    manifest = decodeManifest(object.bytes, key);
  } catch (error) {
    problems.push(problemOf(key, error));
    return done();
  }
  if (manifest.index !== index || manifest.version !== version) {
    problems.push({
      key,
      kind: 'mismatch',
      detail: `the manifest describes ${manifest.index} ${manifest.version}`,
    });
  }
  const folder = versionPrefix(index, version);
  let docs = 0;
  for (const [s, entry] of manifest.shards.entries()) {
    docs += entry.numDocs;
    if (entry.docValues) {
      try {
        problems.push(...(await docValuesProblems(store, entry.docValues, s, folder, deep)));
      } catch (error) {
        problems.push(problemOf(entry.docValues.key, error));
      }
    }
    if (!entry.key.startsWith(folder)) {
      // gc deletes a version by its folder: a shard elsewhere could vanish with another version.
      problems.push({
        key: entry.key,
        kind: 'mismatch',
        detail: `shard ${s} lies outside the version folder`,
      });
      continue;
    }
    try {
      const info = await store.head(entry.key);
      if (!info) {
        problems.push({ key: entry.key, kind: 'missing', detail: `shard ${s} does not exist` });
        continue;
      }
      if (info.size !== entry.size) {
        problems.push({
          key: entry.key,
          kind: 'corrupt',
          detail: `shard ${s} is ${info.size} bytes, the manifest says ${entry.size}`,
        });
        continue;
      }
      shardsChecked++;
      if (!deep) continue;
      const object = await store.get(entry.key);
      if (!object) {
        problems.push({ key: entry.key, kind: 'missing', detail: `shard ${s} does not exist` });
        continue;
      }
      bytesChecked += object.bytes.length;
      if (object.bytes.length !== entry.size) {
        problems.push({
          key: entry.key,
          kind: 'corrupt',
          detail: `shard ${s} read back ${object.bytes.length} bytes, the manifest says ${entry.size}`,
        });
        continue;
      }
      const checked = verifyShardBytes(entry.key, object.bytes, {
        checksum: Number.parseInt(entry.checksum, 16),
        hotRegion: entry.hotRegion,
      });
      if (checked.stats.docBase !== entry.docBase || checked.stats.numDocs !== entry.numDocs) {
        problems.push({
          key: entry.key,
          kind: 'mismatch',
          detail: `shard ${s} holds docs ${checked.stats.docBase}+${checked.stats.numDocs}, the manifest says ${entry.docBase}+${entry.numDocs}`,
        });
      }
    } catch (error) {
      problems.push(problemOf(entry.key, error));
    }
  }
  if (docs !== manifest.docs) {
    problems.push({
      key,
      kind: 'mismatch',
      detail: `shards hold ${docs} documents, the manifest says ${manifest.docs}`,
    });
  }
  const assets = manifest.encoder.assets ?? {};
  let assetsPresent = true;
  for (const [name, assetKey] of Object.entries(assets)) {
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
  if (deep && assetsPresent && registeredEncoders().includes(manifest.encoder.name)) {
    try {
      const encoder = await createEncoder(manifest.encoder.config as { name: string }, {
        assets: await loadEncoderAssets(store, assets),
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
  return done(manifest);
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
