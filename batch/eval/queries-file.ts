/**
 * Parses evaluation queries: BEIR JSONL (`{"_id", "text", …}` a line; other fields ignored) or TSV
 * (`id<TAB>text`, split at the first tab so the text may hold tabs). The format comes from the file
 * name (`.jsonl`/`.json` vs `.tsv`/`.txt`), else from the first character. Ids must be unique and
 * texts non-empty strings: a query silently dropped or doubled would skew every mean.
 */
import { EvalInputError } from '../../shared/eval/errors.ts';

export interface EvalQuery {
  readonly id: string;
  readonly text: string;
}

export type QueriesFormat = 'jsonl' | 'tsv';

export function queriesFormatOf(source: string, text: string): QueriesFormat {
  const name = source.toLowerCase().replace(/\.gz$/, '');
  if (name.endsWith('.jsonl') || name.endsWith('.json')) return 'jsonl';
  if (name.endsWith('.tsv') || name.endsWith('.txt')) return 'tsv';
  return text.trimStart().startsWith('{') ? 'jsonl' : 'tsv';
}

/**
 * @example parseQueries('{"_id":"1","text":"a claim"}\n', 'q.jsonl') // [{ id: '1', text: 'a claim' }]
 */
export function parseQueries(
  text: string,
  source: string,
  format = queriesFormatOf(source, text),
): EvalQuery[] {
  const queries: EvalQuery[] = [];
  const seen = new Set<string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (line.trim() === '') continue;
    const where = `${source}:${i + 1}`;
    let id: unknown;
    let body: unknown;
    if (format === 'jsonl') {
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch (cause) {
        throw new EvalInputError(`${where}: not a JSON object`, { cause });
      }
      if (typeof record !== 'object' || record === null || Array.isArray(record)) {
        throw new EvalInputError(`${where}: expected a JSON object with "_id" and "text"`);
      }
      const r = record as Record<string, unknown>;
      id = r._id ?? r.id;
      body = r.text;
      if (typeof id === 'number') id = String(id);
    } else {
      const tab = line.indexOf('\t');
      if (tab < 0) throw new EvalInputError(`${where}: expected "id<TAB>text"`);
      id = line.slice(0, tab);
      body = line.slice(tab + 1);
    }
    if (typeof id !== 'string' || id === '')
      throw new EvalInputError(`${where}: query id must be a non-empty string`);
    if (typeof body !== 'string' || body.trim() === '') {
      throw new EvalInputError(`${where}: query "${id}" has no text`);
    }
    if (seen.has(id)) throw new EvalInputError(`${where}: query id "${id}" appears twice`);
    seen.add(id);
    queries.push({ id, text: body });
  }
  return queries;
}
