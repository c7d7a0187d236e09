/**
 * Throughput of the `onnx` encoder on CPU, per model shape and CSPLADE variant, with tiny models
 * generated from fixed seeds (same weights every run).
 *
 *   npm run bench:encode -- --json [--docs 256] [--hidden 64] [--layers 2] [--max-length 128] [--batch 32]
 *                                  [--threads 1] [--intra-op-threads 1]
 *
 * Prints one JSON object (progress on stderr). Texts: the first --docs SciFact documents
 * (title + text) from ../shared/datasets/scifact, or generated sentences when it is absent.
 * For each model/variant, three runs on the same texts, measured in the same process:
 *   - fused: the prepared graph (SPLADE head inside the session), tokenization in worker threads
 *     pipelined with session.run — the configuration the batch job uses;
 *   - js_pooling (baseline): the unprepared graph, logits copied off the session and pooled in JS;
 *   - inline_tokenization (baseline): the prepared graph, tokenized on the main thread (no pipelining).
 * Reported: docs/s, text and model tokens/s, `outside_model_share` = 1 − (time in session.run / wall),
 * the share spent waiting for tokenization, bytes copied off the session, and ratios vs baselines.
 * Caveat: these models are tiny (a forward pass costs microseconds per token), so everything outside
 * the model weighs far more than it would next to a real 110M–8B-parameter encoder.
 */

import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { prepareModelDir } from '../../batch/model/prepare.ts';
import { writeTinyModelDir } from '../../batch/model/tiny-model-dir.node.ts';
import { type EncodeStats, OnnxEncoder } from '../../batch/onnx/onnx-encoder.node.ts';
import { numberArg } from './args.ts';

const log = (msg: string) => process.stderr.write(`${msg}\n`);
const round = (x: number, digits = 3) => Number(x.toFixed(digits));

const docs = numberArg('docs', 256);
const hidden = numberArg('hidden', 64);
const layers = numberArg('layers', 2);
const maxLength = numberArg('max-length', 128);
const maxBatchSize = numberArg('batch', 32);
const threads = numberArg('threads', 1);
// One onnxruntime thread leaves the other core of a 2-core machine to the tokenizer worker.
const intraOpThreads = numberArg('intra-op-threads', 1);

function loadTexts(): { source: string; texts: string[] } {
  const dataset = resolve(import.meta.dirname, '../../../shared/datasets/scifact/corpus.jsonl.gz');
  if (existsSync(dataset)) {
    const texts = gunzipSync(readFileSync(dataset))
      .toString('utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .slice(0, docs)
      .map((line) => {
        const doc = JSON.parse(line) as { title: string; text: string };
        return `${doc.title} ${doc.text}`;
      });
    return { source: 'scifact', texts };
  }
  const words =
    'the river search index ocean study light energy paper model token learned sparse vector'.split(' ');
  const texts = Array.from({ length: docs }, (_, i) =>
    Array.from({ length: 40 + ((i * 37) % 200) }, (_, j) => words[(i * 7 + j * 3) % words.length]).join(' '),
  );
  return { source: 'generated', texts };
}

async function measure(dir: string, texts: string[], tokenizerThreads: number, configOverrides = {}) {
  const encoder = await OnnxEncoder.open(dir, {
    tokenizerThreads,
    maxBatchSize,
    intraOpThreads,
    preferCuda: false,
    configOverrides,
  });
  try {
    await encoder.encode(texts.slice(0, 2 * maxBatchSize), 'document'); // warm-up: workers, session, caches
    encoder.resetStats();
    await encoder.encode(texts, 'document');
    return { provider: encoder.provider, stats: encoder.stats() };
  } finally {
    await encoder.close();
  }
}

function summary(s: EncodeStats) {
  const seconds = s.wallMs / 1000;
  return {
    docs_per_s: round(s.texts / seconds, 1),
    text_tokens_per_s: Math.round(s.textTokens / seconds),
    model_tokens_per_s: Math.round(s.modelTokens / seconds),
    wall_ms: round(s.wallMs, 1),
    session_run_ms: round(s.sessionRunMs, 1),
    outside_model_share: round(1 - s.sessionRunMs / s.wallMs),
    tokenize_wait_share: round(s.tokenizeWaitMs / s.wallMs),
    sequences: s.sequences,
    padding_share: round(1 - s.modelTokens / s.paddedTokens),
    output_bytes: s.outputBytes,
  };
}

const { source, texts } = loadTexts();
const variants = [
  { model: 'masked-lm', architecture: 'masked-lm' as const, variant: undefined },
  { model: 'causal-lm', architecture: 'causal-lm' as const, variant: 'causal' as const },
  { model: 'causal-lm', architecture: 'causal-lm' as const, variant: 'echo' as const },
  { model: 'causal-lm', architecture: 'causal-lm' as const, variant: 'bi' as const },
];
const results = [];
let provider = 'cpu';
for (const v of variants) {
  const dir = await mkdtemp(join(tmpdir(), 'csplade-bench-encode-'));
  try {
    log(`${v.model}${v.variant ? `/${v.variant}` : ''}: generating`);
    await writeTinyModelDir(dir, {
      architecture: v.architecture,
      variant: v.variant,
      hidden,
      layers,
      config: { maxLength, topK: { query: 64, document: 128 } },
    });
    log('  js_pooling baseline (unprepared graph)');
    const jsPooling = summary((await measure(dir, texts, threads)).stats);
    await prepareModelDir(dir);
    log('  fused head, worker tokenization');
    const fusedRun = await measure(dir, texts, threads);
    provider = fusedRun.provider;
    const fused = summary(fusedRun.stats);
    log('  fused head, inline tokenization baseline');
    const inline = summary((await measure(dir, texts, 0)).stats);
    results.push({
      model: v.model,
      variant: v.variant ?? null,
      fused,
      js_pooling: jsPooling,
      inline_tokenization: inline,
      head_saving: {
        output_bytes_ratio: round(jsPooling.output_bytes / fused.output_bytes, 1),
        output_bytes_saved: jsPooling.output_bytes - fused.output_bytes,
        speedup_vs_js_pooling: round(fused.docs_per_s / jsPooling.docs_per_s, 2),
      },
      pipelining_speedup_vs_inline: round(fused.docs_per_s / inline.docs_per_s, 2),
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

console.log(
  JSON.stringify({
    bench: 'encode',
    provider,
    cpus: cpus().length,
    node: process.version,
    texts: { source, docs: texts.length },
    tiny_model: {
      hidden,
      layers,
      vocab: 1000,
      max_length: maxLength,
      batch: maxBatchSize,
      tokenizer_threads: threads,
      intra_op_threads: intraOpThreads,
    },
    results,
  }),
);
