/**
 * Helpers for the version-lifecycle tests and the chaos suite: tiny seeded corpora (a few dozen documents
 * over a small vocabulary, so a publish takes tens of milliseconds), publishing one in-process, and the
 * invariant every test checks — CURRENT names a complete, readable version.
 */
import { openCorpus } from '../../../batch/corpus/sources.node.ts';
import { Bm25DocumentEncoder } from '../../../batch/pipeline/document-encoder.ts';
import { indexCorpus } from '../../../batch/pipeline/pipeline.ts';
import type { GcOptions } from '../../../batch/publish/gc.ts';
import { describeProblem, verifyVersion } from '../../../batch/publish/verify-version.ts';
import { readCurrent } from '../../../batch/publish/versions.ts';
import { mulberry32 } from '../../../shared/random.ts';
import type { ObjectStore } from '../../../shared/store/object-store.ts';
import { writeJsonl } from './pipeline-fixtures.ts';

export const WORDS = (
  'river mountain forest desert ocean island valley glacier volcano canyon meadow prairie ' +
  'engine rocket orbit planet comet galaxy nebula photon quark atom molecule crystal ' +
  'violin piano guitar trumpet drum flute opera ballet poem novel theatre canvas'
).split(' ');

export interface TinyDocument {
  readonly _id: string;
  readonly title: string;
  readonly text: string;
}

/** `docs` documents drawn from `seed`: ids d0…, 4–12 words each, so versions of different seeds differ. */
export function tinyCorpus(seed: number, docs = 24): TinyDocument[] {
  const random = mulberry32(seed);
  const pick = () => WORDS[Math.floor(random() * WORDS.length)];
  return Array.from({ length: docs }, (_, i) => ({
    _id: `d${i}`,
    title: `${pick()} ${i}`,
    text: Array.from({ length: 4 + Math.floor(random() * 9) }, pick).join(' '),
  }));
}

export async function writeTinyCorpus(dir: string, seed: number, docs = 24): Promise<string> {
  return writeJsonl(`${dir}/corpus-${seed}-${docs}.jsonl`, tinyCorpus(seed, docs));
}

const encoder = new Bm25DocumentEncoder();

/** Indexes a corpus file as one new version of `index` (in-process) and returns its id. */
export async function publishCorpus(
  store: ObjectStore,
  index: string,
  run: string,
  corpusPath: string,
  options: { shards?: number; gc?: GcOptions } = {},
): Promise<string> {
  const summary = await indexCorpus({
    store,
    index,
    run,
    corpus: await openCorpus(corpusPath),
    encoder,
    shards: options.shards ?? 2,
    keep: options.gc?.keep ?? 100,
    segmentSize: 8,
  });
  return summary.version;
}

export interface CurrentVerdict {
  readonly version: string | null;
  readonly ok: boolean;
  readonly problems: string[];
}

/** Whether CURRENT decodes and names a version that verifies completely (deep). */
export async function currentVerdict(store: ObjectStore, index: string): Promise<CurrentVerdict> {
  let state: Awaited<ReturnType<typeof readCurrent>>;
  try {
    state = await readCurrent(store, index);
  } catch (error) {
    return { version: null, ok: false, problems: [(error as Error).message] };
  }
  if (!state) return { version: null, ok: false, problems: ['no CURRENT'] };
  const check = await verifyVersion(store, index, state.pointer.version);
  return { version: state.pointer.version, ok: check.ok, problems: check.problems.map(describeProblem) };
}
