/**
 * `csplade model report`, the work: for each model variant (fp32, int8, int4) and each execution
 * provider, encode the documents and queries, then derive what the CSPLADE paper's efficiency
 * analysis compares — model size, encoding throughput, non-zeros per document and per query, the
 * size of an 8-bit index of those documents, how far vectors drift from fp32, and, with qrels,
 * retrieval quality. Quality is measured on the 8-bit index exactly (document impacts and per-query
 * impacts dequantized, exhaustive scoring), over the documents given: pass the whole corpus for a
 * number comparable with published ones.
 */
import { evaluateRun } from '../../../shared/eval/evaluate.ts';
import type { MetricValues, Qrels, ScoredDoc } from '../../../shared/eval/types.ts';
import { impactScale, maxWeightOf, quantizeQuery, quantizeVector } from '../../../shared/sparse/quantize.ts';
import type { SparseVector } from '../../../shared/sparse/types.ts';
import { measureDrift, type VectorDrift } from '../../model/vector-drift.ts';
import type { ExecutionProvider } from '../../onnx/session.node.ts';
import { FloatInvertedIndex } from '../float-index.ts';
import type { EvalQuery } from '../queries-file.ts';
import { meanNonZeros, shardBytes } from './index-size.ts';
import { measureVariant, type VariantMeasurement } from './measure.node.ts';
import { prepareVariants, type VariantName } from './variants.node.ts';

export interface ModelReportInput {
  readonly modelDir: string;
  readonly docs: { readonly ids: readonly string[]; readonly texts: readonly string[] };
  readonly queries: readonly EvalQuery[];
  readonly qrels?: Qrels;
  readonly variants: readonly VariantName[];
  readonly providers: readonly ExecutionProvider[];
  readonly impactBits?: number;
}

export interface ReportRow {
  readonly variant: VariantName;
  readonly provider: ExecutionProvider;
  readonly modelBytes: number;
  /** Why this variant/provider pair was not measured; the numbers below are absent then. */
  readonly unavailable?: string;
  readonly docsPerSecond?: number;
  readonly tokensPerSecond?: number;
  readonly queriesPerSecond?: number;
  readonly nnzPerDoc?: number;
  readonly nnzPerQuery?: number;
  readonly indexBytes?: number;
  readonly driftFromFp32?: VectorDrift;
  readonly quality?: MetricValues & { readonly queries: number };
}

export interface ModelReport {
  readonly modelDir: string;
  readonly documents: number;
  readonly queries: number;
  readonly impactBits: number;
  readonly rows: readonly ReportRow[];
}

/** Vectors as the index scores them: impacts × scale, so float scoring ranks exactly as the engine. */
function asIndexed(vectors: readonly SparseVector[], bits: number): SparseVector[] {
  const max = maxWeightOf(vectors);
  if (max === 0) return vectors.map((v) => v);
  const scale = impactScale(max, bits);
  return vectors.map((v) => {
    const q = quantizeVector(v, scale, bits);
    return { terms: q.terms, weights: Float32Array.from(q.impacts, (i) => i * scale) };
  });
}

function queryAsIndexed(v: SparseVector, bits: number): SparseVector {
  const { vector, scale } = quantizeQuery(v, bits);
  return { terms: vector.terms, weights: Float32Array.from(vector.impacts, (i) => i * scale) };
}

function quality(m: VariantMeasurement, input: ModelReportInput, bits: number) {
  if (!input.qrels || input.queries.length === 0) return undefined;
  const index = new FloatInvertedIndex(input.docs.ids, asIndexed(m.docVectors, bits));
  const run = new Map<string, ScoredDoc[]>();
  input.queries.forEach((q, i) => {
    run.set(q.id, index.search(queryAsIndexed(m.queryVectors[i], bits), 1000));
  });
  const result = evaluateRun(run, input.qrels);
  return { ...result.mean, queries: result.queries };
}

export async function buildModelReport(input: ModelReportInput): Promise<ModelReport> {
  const bits = input.impactBits ?? 8;
  const variants = await prepareVariants(input.modelDir, input.variants);
  const queryTexts = input.queries.map((q) => q.text);
  const rows: ReportRow[] = [];
  for (const provider of input.providers) {
    let reference: SparseVector[] | undefined;
    for (const variant of variants) {
      const outcome = await measureVariant(input.modelDir, variant, provider, input.docs.texts, queryTexts);
      if (!outcome.ok) {
        rows.push({
          variant: variant.name,
          provider,
          modelBytes: variant.bytes,
          unavailable: outcome.reason,
        });
        continue;
      }
      const m = outcome.measurement;
      if (variant.name === 'fp32') reference = m.docVectors;
      rows.push({
        variant: variant.name,
        provider,
        modelBytes: variant.bytes,
        docsPerSecond: m.docsPerSecond,
        tokensPerSecond: m.tokensPerSecond,
        queriesPerSecond: queryTexts.length > 0 ? m.queriesPerSecond : undefined,
        nnzPerDoc: meanNonZeros(m.docVectors),
        nnzPerQuery: queryTexts.length > 0 ? meanNonZeros(m.queryVectors) : undefined,
        indexBytes: shardBytes(input.docs.ids, m.docVectors, bits),
        driftFromFp32: reference ? measureDrift(reference, m.docVectors) : undefined,
        quality: quality(m, input, bits),
      });
    }
  }
  return {
    modelDir: input.modelDir,
    documents: input.docs.texts.length,
    queries: input.queries.length,
    impactBits: bits,
    rows,
  };
}
