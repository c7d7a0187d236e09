import { describe, expect, it } from 'vitest';
import { parseQrels } from '../../../batch/eval/qrels-file.ts';
import { parseQueries, queriesFormatOf } from '../../../batch/eval/queries-file.ts';
import { formatTrecRun, parseTrecRun } from '../../../batch/eval/run-file.ts';
import { EvalInputError } from '../../../shared/eval/errors.ts';
import { evaluateRun } from '../../../shared/eval/evaluate.ts';

describe('parseQrels', () => {
  it('reads BEIR TSV with its header line', () => {
    const qrels = parseQrels(
      'query-id\tcorpus-id\tscore\n1\t31715818\t1\n1\t42\t0\n3\t14717500\t2\n',
      'test.tsv',
    );
    expect([...qrels.keys()]).toEqual(['1', '3']);
    expect(qrels.get('1')?.get('31715818')).toBe(1);
    expect(qrels.get('1')?.get('42')).toBe(0);
    expect(qrels.get('3')?.get('14717500')).toBe(2);
  });

  it('reads TREC qrels (qid iter docid rel), ignoring iter, comments and blank lines', () => {
    const qrels = parseQrels(
      '# judged by NIST\n301 0 FBIS3-10082 1\n\n301 0 FBIS3-10169 -1\n302 Q0 X 0\n',
      'q.txt',
    );
    expect(qrels.get('301')?.get('FBIS3-10082')).toBe(1);
    expect(qrels.get('301')?.get('FBIS3-10169')).toBe(-1);
    expect(qrels.get('302')?.get('X')).toBe(0);
  });

  it('names the line of a malformed, mixed, fractional or duplicate judgment', () => {
    expect(() => parseQrels('1 0 d\n1 0 d 1 x\n', 'a')).toThrow(/a:2: expected/);
    expect(() => parseQrels('1 0 d 1\n1 e 1\n', 'b')).toThrow(/b:2: 3 fields, but earlier lines had 4/);
    expect(() => parseQrels('1\td\t0.5\n', 'c')).toThrow(EvalInputError);
    expect(() => parseQrels('1 0 d 1\n1 0 d 0\n', 'd')).toThrow(
      /d:2: document "d" is judged twice for query "1"/,
    );
  });
});

describe('parseQueries', () => {
  it('reads BEIR JSONL, numeric ids included, ignoring other fields', () => {
    const text =
      '{"_id": "0", "text": "0-dimensional biomaterials", "metadata": {}}\n{"_id": 7, "text": "x"}\n';
    expect(parseQueries(text, 'queries.jsonl')).toEqual([
      { id: '0', text: '0-dimensional biomaterials' },
      { id: '7', text: 'x' },
    ]);
  });

  it('reads TSV split at the first tab', () => {
    expect(parseQueries('q1\tfirst query\nq2\ta\tb\r\n', 'topics.tsv')).toEqual([
      { id: 'q1', text: 'first query' },
      { id: 'q2', text: 'a\tb' },
    ]);
  });

  it('chooses the format from the name, else the content', () => {
    expect(queriesFormatOf('x.jsonl.gz', '')).toBe('jsonl');
    expect(queriesFormatOf('x.tsv', '{')).toBe('tsv');
    expect(queriesFormatOf('topics', '  {"_id":1}')).toBe('jsonl');
    expect(queriesFormatOf('topics', '1\tq')).toBe('tsv');
  });

  it('refuses duplicate ids, empty texts and broken lines, naming the line', () => {
    expect(() => parseQueries('a\tx\na\ty\n', 'q.tsv')).toThrow(/q.tsv:2: query id "a" appears twice/);
    expect(() => parseQueries('{"_id":"a","text":"  "}\n', 'q.jsonl')).toThrow(/query "a" has no text/);
    expect(() => parseQueries('{"_id":"a"\n', 'q.jsonl')).toThrow(/q.jsonl:1: not a JSON object/);
    expect(() => parseQueries('no tab here\n', 'q.tsv')).toThrow(/expected "id<TAB>text"/);
  });
});

describe('TREC run files', () => {
  it('write each query in trec_eval order with ranks 1..n', () => {
    const run = new Map([
      [
        'q1',
        [
          { docId: 'a', score: 1 },
          { docId: 'c', score: 2.5 },
          { docId: 'b', score: 1 },
        ],
      ],
    ]);
    expect(formatTrecRun(run, 'csplade')).toBe(
      'q1 Q0 c 1 2.5 csplade\nq1 Q0 b 2 1 csplade\nq1 Q0 a 3 1 csplade\n',
    );
  });

  it('round-trip scores exactly, so metrics on the file equal metrics on the run', () => {
    // Scores that differ in the 16th significant digit must stay distinct and ordered.
    const scores = [0.1 + 0.2, 0.3, 1 / 3, 2 / 3 - 1e-16, 12.345678901234567];
    const run = new Map([['q', scores.map((score, i) => ({ docId: `d${i}`, score }))]]);
    const back = parseTrecRun(formatTrecRun(run, 't'), 'run');
    expect(new Set(back.get('q')?.map((d) => d.score))).toEqual(new Set(scores));
    const qrels = new Map([
      [
        'q',
        new Map([
          ['d1', 1],
          ['d3', 2],
        ]),
      ],
    ]);
    expect(evaluateRun(back, qrels)).toEqual(evaluateRun(run, qrels));
  });

  it('refuse ids with whitespace and non-finite scores, and name a bad line when reading', () => {
    expect(() => formatTrecRun(new Map([['q', [{ docId: 'a b', score: 1 }]]]), 't')).toThrow(/"a b"/);
    expect(() => formatTrecRun(new Map([['q', [{ docId: 'a', score: Infinity }]]]), 't')).toThrow(
      /non-finite/,
    );
    expect(() => formatTrecRun(new Map(), 'two words')).toThrow(/run tag/);
    expect(() => parseTrecRun('q Q0 d 1 x t\n', 'r')).toThrow(/r:1: score "x"/);
    expect(() => parseTrecRun('q Q0 d 1 1\n', 'r')).toThrow(/r:1: expected/);
  });
});
