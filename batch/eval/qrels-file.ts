/**
 * Parses relevance judgments in the two layouts users have: BEIR's TSV (`query-id<TAB>corpus-id<TAB>score`,
 * with a header line) and TREC qrels (`qid iter docid rel`, whitespace-separated, the iter column
 * ignored as trec_eval ignores it). The layout is chosen per file from the column count, so a file
 * that mixes them is an error rather than a silent misread. Relevance must be an integer (trec_eval
 * reads it with atol; a "0.5" would silently become 0 there, so here it is refused), and a document
 * judged twice for one query is refused as trec_eval does. Pure text → data: no file system here.
 */
import { EvalInputError } from '../../shared/eval/errors.ts';
import type { Qrels } from '../../shared/eval/types.ts';

const INTEGER = /^[+-]?\d+$/;

/**
 * @example parseQrels('query-id\tcorpus-id\tscore\n1\td7\t1\n', 'test.tsv').get('1')?.get('d7') // 1
 */
export function parseQrels(text: string, source: string): Qrels {
  const qrels = new Map<string, Map<string, number>>();
  let columns: 3 | 4 | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    const where = `${source}:${i + 1}`;
    if (fields.length !== 3 && fields.length !== 4) {
      throw new EvalInputError(
        `${where}: expected "query-id corpus-id score" (BEIR) or "qid iter docid rel" (TREC), got ${fields.length} fields`,
      );
    }
    // A BEIR header ("query-id corpus-id score"): the first line, three fields, the last not a number.
    if (columns === undefined && fields.length === 3 && Number.isNaN(Number(fields[2]))) {
      columns = 3;
      continue;
    }
    if (columns === undefined) columns = fields.length as 3 | 4;
    if (fields.length !== columns) {
      throw new EvalInputError(`${where}: ${fields.length} fields, but earlier lines had ${columns}`);
    }
    const [queryId, docId, rel] =
      columns === 3 ? [fields[0], fields[1], fields[2]] : [fields[0], fields[2], fields[3]];
    if (!INTEGER.test(rel)) throw new EvalInputError(`${where}: relevance must be an integer, got "${rel}"`);
    let judgments = qrels.get(queryId);
    if (!judgments) qrels.set(queryId, (judgments = new Map()));
    if (judgments.has(docId)) {
      throw new EvalInputError(`${where}: document "${docId}" is judged twice for query "${queryId}"`);
    }
    judgments.set(docId, Number.parseInt(rel, 10));
  }
  return qrels;
}
