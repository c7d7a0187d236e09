/**
 * Throughput of the tokenizers (and the weight-free encoders built on them) on BEIR SciFact.
 *
 *   npm run bench:tokenize -- [--repeats 3]
 *
 * Prints one JSON object (progress on stderr). Corpus: 5,183 documents, title + " " + text, read
 * from ../shared/datasets/scifact. Baselines measured in the same run, on the same texts:
 * - BERT: the @huggingface/tokenizers engine loaded with the same bert-base-uncased vocabulary;
 * - Llama 3: llama3-tokenizer-js's own `encode` (whose pre-token cache lives for one call only).
 * "cold" = a fresh tokenizer (empty word cache) on its first pass; "warm" = median of later passes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import llama3Package from 'llama3-tokenizer-js';
import { Bm25Encoder } from '../../shared/encoders/bm25/bm25-encoder.ts';
import { Bm25StatsBuilder } from '../../shared/encoders/bm25/stats.ts';
import { bertBaseUncasedVocab } from '../../shared/tokenizers/bert-vocab.ts';
import { BertWordPieceTokenizer } from '../../shared/tokenizers/bert-wordpiece.ts';
import { HfTokenizer } from '../../shared/tokenizers/hf-tokenizer.ts';
import { Llama3Tokenizer } from '../../shared/tokenizers/llama3.ts';
import { bertTokenizerJson } from '../shared/tokenizers/bert-tokenizer-json.ts';
import { numberArg } from './args.ts';

const log = (msg: string) => process.stderr.write(`${msg}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const repeats = numberArg('repeats', 3);

const dataset = resolve(import.meta.dirname, '../../../shared/datasets/scifact');
if (!existsSync(`${dataset}/corpus.jsonl.gz`)) {
  console.log(JSON.stringify({ skipped: `SciFact is absent: ${dataset}/corpus.jsonl.gz` }));
  process.exit(0);
}
const texts = gunzipSync(readFileSync(`${dataset}/corpus.jsonl.gz`))
  .toString('utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => {
    const doc = JSON.parse(line) as { title: string; text: string };
    return `${doc.title} ${doc.text}`;
  });
const queries = readFileSync(`${dataset}/queries.jsonl`, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => (JSON.parse(line) as { text: string }).text);
const chars = texts.reduce((sum, t) => sum + t.length, 0);

/** One pass over the corpus: [milliseconds, tokens]. */
function pass(encode: (text: string) => ArrayLike<number>): [number, number] {
  const start = performance.now();
  let tokens = 0;
  for (const text of texts) tokens += encode(text).length;
  return [performance.now() - start, tokens];
}

function measure(label: string, create: () => (text: string) => ArrayLike<number>) {
  const setupStart = performance.now();
  const encode = create();
  const setupMs = performance.now() - setupStart;
  const [coldMs, tokens] = pass(encode);
  const warm: number[] = [];
  for (let r = 0; r < repeats; r++) warm.push(pass(encode)[0]);
  const warmMs = median(warm);
  const result = {
    tokens,
    setupMs: Math.round(setupMs),
    coldMs: Math.round(coldMs),
    warmMs: Math.round(warmMs),
    coldTokensPerSecond: Math.round((tokens / coldMs) * 1000),
    warmTokensPerSecond: Math.round((tokens / warmMs) * 1000),
  };
  log(`${label}: ${JSON.stringify(result)}`);
  return result;
}

log(`SciFact: ${texts.length} documents, ${chars} characters, ${queries.length} queries`);
const bertOurs = measure('bert ours', () => {
  const tokenizer = new BertWordPieceTokenizer({
    name: 'bert-base-uncased',
    vocab: bertBaseUncasedVocab(),
    lowercase: true,
  });
  return (text) => tokenizer.encode(text).ids;
});
const bertEngine = measure('bert @huggingface/tokenizers', () => {
  const tokenizer = new HfTokenizer(bertTokenizerJson(bertBaseUncasedVocab()), { fastPath: false });
  return (text) => tokenizer.encode(text).ids;
});
const llamaOurs = measure('llama3 ours', () => {
  const tokenizer = new Llama3Tokenizer();
  return (text) => tokenizer.encode(text).ids;
});
const llamaPackage = measure(
  'llama3 llama3-tokenizer-js',
  () => (text) => llama3Package.encode(text, { bos: false, eos: false }),
);

// BM25 over bert-base-uncased: statistics pass, document vectors, query vectors.
const bert = new BertWordPieceTokenizer({
  name: 'bert-base-uncased',
  vocab: bertBaseUncasedVocab(),
  lowercase: true,
});
let start = performance.now();
const builder = new Bm25StatsBuilder(bert);
for (const text of texts) builder.add(text);
const stats = builder.build();
const statsMs = performance.now() - start;
const bm25 = new Bm25Encoder({ tokenizer: bert, stats });
start = performance.now();
let postings = 0;
for (const text of texts) postings += bm25.encodeOne(text, 'document').terms.length;
const documentsMs = performance.now() - start;
start = performance.now();
for (const query of queries) bm25.encodeOne(query, 'query');
const queriesMs = performance.now() - start;

const report = {
  bench: 'tokenize',
  corpus: { name: 'scifact', documents: texts.length, characters: chars, queries: queries.length },
  repeats,
  bert: {
    ours: bertOurs,
    baseline: { name: '@huggingface/tokenizers 0.2 (same vocabulary)', ...bertEngine },
    sameTokenCount: bertOurs.tokens === bertEngine.tokens,
    warmSpeedup: +(bertEngine.warmMs / bertOurs.warmMs).toFixed(2),
    coldSpeedup: +(bertEngine.coldMs / bertOurs.coldMs).toFixed(2),
  },
  llama3: {
    ours: llamaOurs,
    baseline: { name: 'llama3-tokenizer-js 1.2 encode()', ...llamaPackage },
    sameTokenCount: llamaOurs.tokens === llamaPackage.tokens,
    warmSpeedup: +(llamaPackage.warmMs / llamaOurs.warmMs).toFixed(2),
    coldSpeedup: +(llamaPackage.coldMs / llamaOurs.coldMs).toFixed(2),
  },
  bm25: {
    statsPassMs: Math.round(statsMs),
    documentVectorsMs: Math.round(documentsMs),
    documentsPerSecond: Math.round((texts.length / documentsMs) * 1000),
    postings,
    microsecondsPerQuery: +((queriesMs * 1000) / queries.length).toFixed(1),
  },
};
console.log(JSON.stringify(report));
