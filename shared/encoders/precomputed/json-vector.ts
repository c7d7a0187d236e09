/**
 * Reader of Anserini's JsonVectorCollection lines — `{"id": "…", "contents"?: "…", "vector":
 * {"<token>": weight, …}}` — into a SparseVector over a vocabulary. Weights must be finite and
 * ≥ 0; zeros are dropped (the SparseVector invariant keeps only positive weights). A token that
 * appears twice in one vector is an error (JSON.parse would silently keep the last one, so the raw
 * line is scanned for it); an unknown token is an error unless `unknownTokens: 'ignore'`.
 */
import type { SparseVector } from '../../sparse/types.ts';
import { EncoderError } from '../errors.ts';
import type { TermVocabulary } from './vocabulary.ts';

export interface JsonVectorRecord {
  readonly id: string;
  readonly contents?: string;
  readonly vector: SparseVector;
}

export interface ParseVectorOptions {
  /** 'error' (default): refuse the line; 'ignore': drop the token (and count it in `ignoredTokens`). */
  readonly unknownTokens?: 'error' | 'ignore';
  /** Used in error messages, e.g. the 1-based line number in the file. */
  readonly where?: string;
  /** Receives each ignored unknown token. */
  readonly onIgnoredToken?: (token: string) => void;
}

export function parseJsonVectorLine(
  line: string,
  vocabulary: TermVocabulary,
  options: ParseVectorOptions = {},
): JsonVectorRecord {
  const where = options.where ? ` (${options.where})` : '';
  const fail = (
    what: string,
    code: 'invalid_vector_line' | 'unknown_token' | 'duplicate_token' = 'invalid_vector_line',
  ) => new EncoderError(code, `${what}${where}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (cause) {
    throw new EncoderError(
      'invalid_vector_line',
      `vector line is not JSON: ${(cause as Error).message}${where}`,
      {
        cause,
      },
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw fail('vector line must be a JSON object');
  const record = parsed as Record<string, unknown>;
  const id = typeof record.id === 'number' && Number.isFinite(record.id) ? String(record.id) : record.id;
  if (typeof id !== 'string' || id === '') throw fail('vector line needs a non-empty "id" string');
  const failFor = (what: string, code?: 'unknown_token' | 'duplicate_token') =>
    fail(`document "${id}": ${what}`, code);
  if (record.contents !== undefined && typeof record.contents !== 'string')
    throw failFor('"contents" must be a string');
  const vector = record.vector;
  if (typeof vector !== 'object' || vector === null || Array.isArray(vector)) {
    throw failFor('"vector" must be an object of token → weight');
  }
  const weights = vector as Record<string, unknown>;
  const rawKeys = scanVectorLineKeys(line);
  const repeatedMember = firstRepeat(rawKeys.topLevel);
  if (repeatedMember !== undefined) throw failFor(`member "${repeatedMember}" appears twice in the line`);
  const repeatedToken =
    rawKeys.vector.length > Object.keys(weights).length ? firstRepeat(rawKeys.vector) : undefined;
  if (repeatedToken !== undefined)
    throw failFor(`token "${repeatedToken}" appears twice in "vector"`, 'duplicate_token');
  return {
    id,
    contents: record.contents as string | undefined,
    vector: tokenWeightsToVector(weights, vocabulary, { ...options, describe: failFor }),
  };
}

/**
 * `{token: weight}` → SparseVector with sorted term ids (also used for queries given as vectors).
 */
export function tokenWeightsToVector(
  weights: Readonly<Record<string, unknown>>,
  vocabulary: TermVocabulary,
  options: ParseVectorOptions & {
    describe?: (what: string, code?: 'unknown_token' | 'duplicate_token') => Error;
  } = {},
): SparseVector {
  const describe =
    options.describe ??
    ((what: string, code?: 'unknown_token' | 'duplicate_token') =>
      new EncoderError(
        code ?? 'invalid_vector_line',
        `${what}${options.where ? ` (${options.where})` : ''}`,
      ));
  const pairs: Array<[number, number]> = [];
  for (const token of Object.keys(weights)) {
    const weight = weights[token];
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
      throw describe(`weight of token "${token}" must be a finite number ≥ 0, got ${JSON.stringify(weight)}`);
    }
    const termId = vocabulary.idOf(token);
    if (termId === undefined) {
      if (options.unknownTokens === 'ignore') {
        options.onIgnoredToken?.(token);
        continue;
      }
      throw describe(`token "${token}" is not in vocabulary ${vocabulary.name}`, 'unknown_token');
    }
    if (weight > 0) pairs.push([termId, weight]);
  }
  pairs.sort((a, b) => a[0] - b[0]);
  const terms = new Uint32Array(pairs.length);
  const values = new Float32Array(pairs.length);
  for (let i = 0; i < pairs.length; i++) {
    if (i > 0 && pairs[i][0] === pairs[i - 1][0]) {
      throw describe(
        `two tokens map to term id ${pairs[i][0]} ("${vocabulary.tokenOf(pairs[i][0])}")`,
        'duplicate_token',
      );
    }
    terms[i] = pairs[i][0];
    values[i] = pairs[i][1];
  }
  return { terms, weights: values };
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The raw keys of the top-level object and of its "vector" member in an (already valid) JSON line,
 * repeats included (JSON.parse keeps only the last of a repeated key). Strings are skipped with
 * indexOf, so a long "contents" costs little.
 */
export function scanVectorLineKeys(line: string): { topLevel: string[]; vector: string[] } {
  const containers: number[] = []; // '{' or '[' per open level
  let expectKey = false;
  let vectorDepthOpen = false;
  let vectorSeen = false;
  const topLevel: string[] = [];
  const vector: string[] = [];
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === QUOTE) {
      const end = closingQuote(line, i);
      if (expectKey) {
        const raw = line.slice(i, end + 1);
        const key = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        if (containers.length === 1) topLevel.push(key);
        else if (vectorDepthOpen && containers.length === 2) vector.push(key);
        expectKey = false;
      }
      i = end;
    } else if (c === 0x7b /* { */) {
      // Inside the top-level object, a '{' is always the value of the latest top-level key.
      if (containers.length === 1 && topLevel[topLevel.length - 1] === 'vector' && !vectorSeen) {
        vectorDepthOpen = true;
        vectorSeen = true;
      }
      containers.push(c);
      expectKey = true;
    } else if (c === 0x5b /* [ */) {
      containers.push(c);
      expectKey = false;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      if (containers.length === 2) vectorDepthOpen = false;
      containers.pop();
    } else if (c === 0x2c /* , */) {
      expectKey = containers[containers.length - 1] === 0x7b;
    }
  }
  return { topLevel, vector };
}

/** The first repeated string of a list, if any. */
function firstRepeat(keys: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const key of keys) {
    if (seen.has(key)) return key;
    seen.add(key);
  }
  return undefined;
}

function closingQuote(line: string, open: number): number {
  let end = line.indexOf('"', open + 1);
  while (end !== -1) {
    let backslashes = 0;
    for (let k = end - 1; line.charCodeAt(k) === BACKSLASH; k--) backslashes++;
    if (backslashes % 2 === 0) return end;
    end = line.indexOf('"', end + 1);
  }
  return line.length;
}
