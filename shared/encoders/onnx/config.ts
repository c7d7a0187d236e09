/**
 * `csplade-model.json`: the small config that sits next to an ONNX model and says how to use it —
 * architecture (masked-lm | causal-lm), CSPLADE variant (causal | echo | bi), which tokenizer,
 * the special tokens around each sequence, query/document prompt templates, max length, how
 * many terms to keep per vector, and whether the graph already carries the fused SPLADE head
 * (`prepared`). `parseModelConfig` checks every field and reports all problems at once, so a bad
 * directory is fixed in one round. Runtime-neutral: no file access here.
 */
import { OnnxModelError } from './errors.ts';

export const MODEL_CONFIG_FILE = 'csplade-model.json';
export const MODEL_CONFIG_FORMAT = 'csplade-model/1';

export type ModelArchitecture = 'masked-lm' | 'causal-lm';
export type CausalVariant = 'causal' | 'echo' | 'bi';

/** The fused SPLADE head added by `csplade model prepare`. */
export interface PreparedHead {
  /** TopK size baked into the graph: the most terms one sequence can yield. */
  readonly k: number;
  /** Where positions to pool come from: an extra `pooling_mask` input, or the attention mask. */
  readonly pooling: 'pooling_mask' | 'attention_mask';
}

export interface ModelConfig {
  readonly format: typeof MODEL_CONFIG_FORMAT;
  readonly architecture: ModelArchitecture;
  /** Causal LMs only. */
  readonly variant?: CausalVariant;
  /** The .onnx file, relative to the model directory. */
  readonly model: string;
  /**
   * A smaller .onnx file for queries (e.g. the int8 output of `csplade model quantize` of a prepared model),
   * published with every index version so the edge can encode queries. Default: `model` itself, when it is
   * one file (no external data) small enough to ship (see query-model.ts).
   */
  readonly queryModel?: string;
  /** A tokenizer.json path relative to the directory, or a built-in tokenizer name. */
  readonly tokenizer: string;
  readonly specialTokens: { readonly begin: readonly string[]; readonly end: readonly string[] };
  /** Prompt templates with exactly one `{text}`. */
  readonly templates: { readonly query: string; readonly document: string };
  readonly maxLength: number;
  readonly topK: { readonly query: number; readonly document: number };
  /** Tokens between window starts for long documents; default: a full window (no overlap). */
  readonly windowStride?: number;
  /** Windows kept per document; later text is dropped. Default 16. */
  readonly maxWindows?: number;
  readonly prepared: PreparedHead | false;
}

export const DEFAULT_MAX_WINDOWS = 16;

/** Splits a template into the text before and after `{text}`. */
export function splitTemplate(template: string): { prefix: string; suffix: string } {
  const at = template.indexOf('{text}');
  return { prefix: template.slice(0, at), suffix: template.slice(at + '{text}'.length) };
}

/** Validates parsed JSON; `source` names the file in messages. */
export function parseModelConfig(json: unknown, source = MODEL_CONFIG_FILE): ModelConfig {
  const problems: string[] = [];
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new OnnxModelError('invalid_model_config', `${source}: expected a JSON object`);
  }
  const c = json as Record<string, unknown>;
  const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;
  const isStringArray = (v: unknown): v is string[] =>
    Array.isArray(v) && v.every((s) => typeof s === 'string');

  if (c.format !== MODEL_CONFIG_FORMAT)
    problems.push(`"format" must be "${MODEL_CONFIG_FORMAT}" (got ${JSON.stringify(c.format)})`);
  if (c.architecture !== 'masked-lm' && c.architecture !== 'causal-lm') {
    problems.push(
      `"architecture" must be "masked-lm" or "causal-lm" (got ${JSON.stringify(c.architecture)})`,
    );
  }
  if (
    c.architecture === 'causal-lm' &&
    c.variant !== 'causal' &&
    c.variant !== 'echo' &&
    c.variant !== 'bi'
  ) {
    problems.push(
      `"variant" must be "causal", "echo" or "bi" for a causal-lm (got ${JSON.stringify(c.variant)})`,
    );
  }
  if (c.architecture === 'masked-lm' && c.variant !== undefined)
    problems.push('"variant" applies to causal-lm models only');
  if (typeof c.model !== 'string' || !c.model.endsWith('.onnx'))
    problems.push(`"model" must name a .onnx file (got ${JSON.stringify(c.model)})`);
  if (c.queryModel !== undefined && (typeof c.queryModel !== 'string' || !c.queryModel.endsWith('.onnx')))
    problems.push(`"queryModel" must name a .onnx file (got ${JSON.stringify(c.queryModel)})`);
  if (typeof c.tokenizer !== 'string' || c.tokenizer === '')
    problems.push('"tokenizer" must be a tokenizer.json path or a built-in tokenizer name');
  const special = c.specialTokens as Record<string, unknown> | undefined;
  if (!special || !isStringArray(special.begin) || !isStringArray(special.end)) {
    problems.push('"specialTokens" must be { "begin": string[], "end": string[] }');
  }
  const templates = c.templates as Record<string, unknown> | undefined;
  for (const role of ['query', 'document']) {
    const t = templates?.[role];
    if (typeof t !== 'string' || t.split('{text}').length !== 2)
      problems.push(`"templates.${role}" must be a string with exactly one {text}`);
  }
  if (!isPositiveInt(c.maxLength))
    problems.push(`"maxLength" must be a positive integer (got ${JSON.stringify(c.maxLength)})`);
  const topK = c.topK as Record<string, unknown> | undefined;
  if (!isPositiveInt(topK?.query) || !isPositiveInt(topK?.document))
    problems.push('"topK" must be { "query": positive int, "document": positive int }');
  if (c.windowStride !== undefined && !isPositiveInt(c.windowStride))
    problems.push('"windowStride" must be a positive integer');
  if (c.maxWindows !== undefined && !isPositiveInt(c.maxWindows))
    problems.push('"maxWindows" must be a positive integer');
  const prepared = c.prepared as Record<string, unknown> | false | undefined;
  if (prepared !== false) {
    if (
      typeof prepared !== 'object' ||
      prepared === null ||
      !isPositiveInt(prepared.k) ||
      (prepared.pooling !== 'pooling_mask' && prepared.pooling !== 'attention_mask')
    ) {
      problems.push(
        '"prepared" must be false or { "k": positive int, "pooling": "pooling_mask" | "attention_mask" }',
      );
    } else {
      if (
        isPositiveInt(topK?.query) &&
        isPositiveInt(topK?.document) &&
        Math.max(topK.query, topK.document) > prepared.k
      ) {
        problems.push(
          `"topK" (${topK.query}/${topK.document}) cannot exceed the prepared head's k (${prepared.k})`,
        );
      }
      if (c.variant === 'echo' && prepared.pooling !== 'pooling_mask')
        problems.push('the echo variant needs a prepared head with "pooling": "pooling_mask"');
    }
  }
  if (problems.length > 0)
    throw new OnnxModelError('invalid_model_config', `${source}: ${problems.join('; ')}`);
  return c as unknown as ModelConfig;
}

/** Sensible defaults for a new model directory; callers override what they know. */
export function defaultModelConfig(
  architecture: ModelArchitecture,
  overrides: Partial<ModelConfig> = {},
): ModelConfig {
  const bert = architecture === 'masked-lm';
  return {
    format: MODEL_CONFIG_FORMAT,
    architecture,
    ...(bert ? {} : { variant: 'causal' as const }),
    model: 'model.onnx',
    tokenizer: 'tokenizer.json',
    specialTokens: bert
      ? { begin: ['[CLS]'], end: ['[SEP]'] }
      : { begin: ['<|begin_of_text|>'], end: ['<|end_of_text|>'] },
    templates: { query: '{text}', document: '{text}' },
    maxLength: 512,
    topK: { query: 64, document: 256 },
    prepared: false,
    ...overrides,
  };
}
