/**
 * What must hold after every chaos schedule, read through the raw store (no injected faults):
 *   - CURRENT exists once any version was seen live, decodes, and names a complete version (manifest,
 *     every shard's size, checksum, footer and postings, assets, the query encoder rebuilt);
 *   - that version, and the newest complete published version, answer queries exactly as a brute-force
 *     scoring of the corpus they were built from (BM25 recomputed from the text, quantized with the
 *     version's scale, every document scored with plain loops) — every hit and its integer score;
 *   - every version seen live during the schedule is in CURRENT's history (or is CURRENT);
 *   - with a long grace period, every version seen live is still complete: gc deleted none of them.
 */
import { encoderInput } from '../../batch/corpus/document.ts';
import { Bm25DocumentEncoder, finalizeAll } from '../../batch/pipeline/document-encoder.ts';
import {
  decodeLifecyclePointer,
  isTombstoned,
  type LifecyclePointer,
} from '../../batch/publish/current-pointer.ts';
import { encodeQueryText, loadManifest, searchManifest } from '../../batch/publish/local-search.ts';
import { describeProblem, verifyVersion } from '../../batch/publish/verify-version.ts';
import { listVersions } from '../../batch/publish/versions.ts';
import { DEFAULT_ALGORITHM } from '../../shared/engine/registry.ts';
import { currentKey } from '../../shared/index/layout.ts';
import { quantizeQuery, quantizeVector } from '../../shared/sparse/quantize.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import type { TinyDocument } from '../batch/helpers/lifecycle.ts';
import { bruteForceTopK } from '../batch/helpers/pipeline-fixtures.ts';

export interface InvariantInput {
  readonly store: ObjectStore;
  readonly index: string;
  /** Versions a poller saw CURRENT name during the schedule. */
  readonly observed: ReadonlySet<string>;
  /** Whether every gc of the schedule kept versions named within the last hour. */
  readonly longGrace: boolean;
  /** The corpus each run id indexed. */
  readonly corpusOfRun: (run: string) => readonly TinyDocument[] | undefined;
  readonly queries: readonly string[];
}

export async function checkInvariants(input: InvariantInput): Promise<string[]> {
  const { store, index } = input;
  const violations: string[] = [];
  const object = await store.get(currentKey(index));
  if (!object) {
    if (input.observed.size > 0)
      violations.push(`CURRENT vanished (it named ${[...input.observed].join(', ')})`);
    return violations;
  }
  let pointer: LifecyclePointer;
  try {
    pointer = decodeLifecyclePointer(object.bytes);
  } catch (error) {
    return [`CURRENT does not decode: ${(error as Error).message}`];
  }
  const named = await verifyVersion(store, index, pointer.version);
  if (!named.ok) {
    violations.push(
      `CURRENT names ${pointer.version}, which is not complete: ${named.problems.map(describeProblem).join('; ')}`,
    );
    return violations;
  }
  if (isTombstoned(pointer, pointer.version))
    violations.push(`CURRENT names ${pointer.version}, which it tombstones`);
  violations.push(...(await checkQueries(input, pointer.version)));
  const history = new Set(pointer.history.map((h) => h.version));
  for (const version of input.observed) {
    if (version !== pointer.version && !history.has(version))
      violations.push(`${version} was CURRENT during the schedule but is not in CURRENT's history`);
    if (input.longGrace && version !== pointer.version) {
      const check = await verifyVersion(store, index, version, { depth: 'sizes' });
      if (!check.ok)
        violations.push(
          `${version} was CURRENT within the grace period and lost files: ${check.problems.map(describeProblem).join('; ')}`,
        );
    }
  }
  const published = (await listVersions(store, index)).filter((v) => v.hasManifest).reverse();
  for (const v of published) {
    if (v.version === pointer.version) break;
    if ((await verifyVersion(store, index, v.version)).ok) {
      violations.push(...(await checkQueries(input, v.version)));
      break;
    }
  }
  return violations;
}

const encoder = new Bm25DocumentEncoder();

/** Every query's full ranking from the index equals brute force over the version's own corpus. */
async function checkQueries(input: InvariantInput, version: string): Promise<string[]> {
  const { store, index } = input;
  const manifest = await loadManifest(store, index, version);
  const run = manifest.stats.run as string;
  const docs = input.corpusOfRun(run);
  if (!docs) return [`${version} was built by run ${run}, which no operation of the schedule started`];
  if (manifest.docs !== docs.length)
    return [`${version} holds ${manifest.docs} documents, its corpus ${docs.length}`];
  const { vectors: counts } = await encoder.encodeDocuments(docs.map((d) => encoderInput(d)));
  const { vectors } = await finalizeAll(encoder, counts);
  const quantized = vectors.map((v) => quantizeVector(v, manifest.impact.scale, manifest.impact.bits));
  const problems: string[] = [];
  for (const text of input.queries) {
    const query = await encodeQueryText(store, manifest, text);
    const hits = await searchManifest(store, manifest, query, {
      k: docs.length,
      algorithm: DEFAULT_ALGORITHM,
    });
    const expected = bruteForceTopK(quantized, quantizeQuery(query, 8).vector, docs.length);
    const got = ranking(hits.map((h) => ({ id: h.id, score: h.integerScore })));
    const want = ranking(expected.map((e) => ({ id: docs[e.doc]._id, score: e.score })));
    if (got !== want) problems.push(`${version}, query "${text}": index ${got} ≠ brute force ${want}`);
  }
  return problems;
}

/** A ranking as text, ties in id order (the engine breaks ties by its internal doc order). */
function ranking(hits: { id: string; score: number }[]): string {
  return hits
    .filter((h) => h.score > 0)
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
    .map((h) => `${h.id}:${h.score}`)
    .join(',');
}
