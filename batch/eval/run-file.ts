/**
 * TREC run files (`qid Q0 docid rank score tag`), written so that trec_eval ranks them exactly as
 * `evaluateRun` does: each query's lines are in trec_eval order (score desc, docid desc by bytes) with
 * ranks 1..n, and each score is printed in JavaScript's shortest round-trip form, which parses back
 * (trec_eval's atof included) to the identical double — so ties stay ties and nothing reorders.
 * `parseTrecRun` reads such files (any order; the rank column ignored, as trec_eval ignores it).
 */
import { EvalInputError } from '../../shared/eval/errors.ts';
import { rankForTrecEval } from '../../shared/eval/ranking.ts';
import type { Run, ScoredDoc } from '../../shared/eval/types.ts';

const NO_SPACE = /^\S+$/;

/**
 * @example formatTrecRun(new Map([['q', [{ docId: 'd', score: 1.5 }]]]), 'bm25') // 'q Q0 d 1 1.5 bm25\n'
 */
export function formatTrecRun(run: Run, tag: string): string {
  if (!NO_SPACE.test(tag))
    throw new EvalInputError(`run tag must be non-empty without whitespace, got "${tag}"`);
  const out: string[] = [];
  for (const [queryId, docs] of run) {
    if (!NO_SPACE.test(queryId))
      throw new EvalInputError(`query id "${queryId}" cannot be written to a run file`);
    const ranked = rankForTrecEval(queryId, docs);
    for (let i = 0; i < ranked.length; i++) {
      const { docId, score } = ranked[i];
      if (!NO_SPACE.test(docId)) {
        throw new EvalInputError(
          `document id "${docId}" (query "${queryId}") cannot be written to a run file`,
        );
      }
      if (!Number.isFinite(score)) {
        throw new EvalInputError(`query "${queryId}": document "${docId}" has non-finite score ${score}`);
      }
      out.push(`${queryId} Q0 ${docId} ${i + 1} ${String(score)} ${tag}\n`);
    }
  }
  return out.join('');
}

/** Reads a TREC run; query order follows first appearance, documents keep file order (unranked). */
export function parseTrecRun(text: string, source: string): Run {
  const run = new Map<string, ScoredDoc[]>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const fields = line.split(/\s+/);
    if (fields.length !== 6) {
      throw new EvalInputError(
        `${source}:${i + 1}: expected "qid Q0 docid rank score tag", got ${fields.length} fields`,
      );
    }
    const score = Number(fields[4]);
    if (fields[4] === '' || Number.isNaN(score)) {
      throw new EvalInputError(`${source}:${i + 1}: score "${fields[4]}" is not a number`);
    }
    let docs = run.get(fields[0]);
    if (!docs) run.set(fields[0], (docs = []));
    docs.push({ docId: fields[2], score });
  }
  return run;
}
