/**
 * The hand-over between `csplade build` and `csplade publish` when they run as separate steps: the built
 * version's description plus the CURRENT etag read before building, at `runs/<run>/build.msgpack`.
 * Publishing from it keeps the race semantics of a one-step `index`: the flip is conditional on the
 * CURRENT that the build started from.
 */
import { Packr } from 'msgpackr';
import { runPrefix } from '../../shared/index/layout.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import type { CurrentState } from '../publish/versions.ts';
import type { BuiltVersion } from './build-stage.ts';
import { PipelineDataError } from './errors.ts';

const packr = new Packr({ useRecords: false, moreTypes: true });
const FORMAT = 'csplade.staged-build';

export interface StagedBuild {
  readonly built: BuiltVersion;
  readonly expected: CurrentState | null;
}

export const stagedBuildKey = (index: string, run: string) => `${runPrefix(index, run)}build.msgpack`;

export async function writeStagedBuild(store: ObjectStore, staged: StagedBuild): Promise<void> {
  const { index, run } = staged.built;
  await store.put(stagedBuildKey(index, run), packr.pack({ format: FORMAT, ...staged }));
}

export async function readStagedBuild(
  store: ObjectStore,
  index: string,
  run: string,
): Promise<StagedBuild | null> {
  const key = stagedBuildKey(index, run);
  const object = await store.get(key);
  if (!object) return null;
  const value = packr.unpack(object.bytes) as Record<string, unknown>;
  if (value?.format !== FORMAT || typeof value.built !== 'object') {
    throw new PipelineDataError(key, 'not a staged build record');
  }
  return { built: value.built as BuiltVersion, expected: (value.expected ?? null) as CurrentState | null };
}
