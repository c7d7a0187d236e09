/**
 * The inference-free query weight table (as OpenSearch's doc-only sparse models ship in idf.json):
 * one float weight per vocabulary id. Binary form, little-endian, so it can sit next to an index
 * and be read with one GET in a Worker:
 *
 *   offset 0   "CSWT"                  magic
 *          4   u16 version (1)
 *          6   u16 tokenizer name length in UTF-8 bytes (n)
 *          8   u32 vocabulary size (v)
 *         12   tokenizer name, zero-padded to a multiple of 4 bytes
 *   12+pad(n)  f32 × v                 weight of each id (finite, ≥ 0)
 *
 * The decoder checks the magic, version, exact length and every weight; `checkWeightTableFits`
 * checks the table against the tokenizer that will produce the ids.
 */
import type { Tokenizer } from '../../tokenizers/tokenizer.ts';
import { EncoderError } from '../errors.ts';

export interface WeightTable {
  /** Name of the tokenizer whose ids index `weights`. */
  readonly tokenizer: string;
  readonly weights: Float32Array;
}

const MAGIC = [0x43, 0x53, 0x57, 0x54]; // "CSWT"
const VERSION = 1;
const HEADER_BYTES = 12;
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

const padTo4 = (n: number) => (n + 3) & ~3;

export function encodeWeightTable(table: WeightTable): Uint8Array {
  checkWeights(table.weights);
  const name = utf8Encoder.encode(table.tokenizer);
  if (name.length > 0xffff) throw invalid(`tokenizer name is ${name.length} bytes, more than 65535`);
  const weightsOffset = HEADER_BYTES + padTo4(name.length);
  const bytes = new Uint8Array(weightsOffset + table.weights.length * 4);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC, 0);
  view.setUint16(4, VERSION, true);
  view.setUint16(6, name.length, true);
  view.setUint32(8, table.weights.length, true);
  bytes.set(name, HEADER_BYTES);
  for (let id = 0; id < table.weights.length; id++)
    view.setFloat32(weightsOffset + id * 4, table.weights[id], true);
  return bytes;
}

export function decodeWeightTable(bytes: Uint8Array): WeightTable {
  if (bytes.length < HEADER_BYTES || MAGIC.some((byte, i) => bytes[i] !== byte)) {
    throw invalid('not a weight table (magic "CSWT" missing)');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(4, true);
  if (version !== VERSION) throw invalid(`version ${version} is not supported (only ${VERSION})`);
  const nameLength = view.getUint16(6, true);
  const vocabSize = view.getUint32(8, true);
  const weightsOffset = HEADER_BYTES + padTo4(nameLength);
  const expected = weightsOffset + vocabSize * 4;
  if (bytes.length !== expected) {
    throw invalid(`is ${bytes.length} bytes, but its header (vocabulary ${vocabSize}) says ${expected}`);
  }
  let tokenizer: string;
  try {
    tokenizer = utf8Decoder.decode(bytes.subarray(HEADER_BYTES, HEADER_BYTES + nameLength));
  } catch (cause) {
    throw new EncoderError('invalid_weight_table', 'weight table: tokenizer name is not UTF-8', { cause });
  }
  const weights = new Float32Array(vocabSize);
  for (let id = 0; id < vocabSize; id++) weights[id] = view.getFloat32(weightsOffset + id * 4, true);
  checkWeights(weights);
  return { tokenizer, weights };
}

/** Throws `weight_table_mismatch` unless the table was made for exactly this tokenizer. */
export function checkWeightTableFits(table: WeightTable, tokenizer: Tokenizer): void {
  if (table.tokenizer !== tokenizer.name) {
    throw new EncoderError(
      'weight_table_mismatch',
      `weight table is for tokenizer ${table.tokenizer}, not ${tokenizer.name}`,
    );
  }
  if (table.weights.length !== tokenizer.vocabSize) {
    throw new EncoderError(
      'weight_table_mismatch',
      `weight table has ${table.weights.length} weights, but tokenizer ${tokenizer.name} has ${tokenizer.vocabSize} ids`,
    );
  }
}

/**
 * A table from `{token: weight}` (OpenSearch's idf.json). Tokens not listed get `defaultWeight`
 * (0 by default, as OpenSearch's reference code fills its table with zeros); listed tokens the
 * tokenizer does not know are an error unless `unknownTokens: 'ignore'`.
 */
export function weightTableFromTokenWeights(
  tokenWeights: Readonly<Record<string, number>>,
  tokenizer: Tokenizer,
  options: { defaultWeight?: number; unknownTokens?: 'error' | 'ignore' } = {},
): WeightTable {
  const weights = new Float32Array(tokenizer.vocabSize).fill(options.defaultWeight ?? 0);
  for (const [token, weight] of Object.entries(tokenWeights)) {
    const id = tokenizer.idOf(token);
    if (id === undefined) {
      if (options.unknownTokens === 'ignore') continue;
      throw new EncoderError(
        'unknown_token',
        `weight table: token "${token}" is not in tokenizer ${tokenizer.name}`,
      );
    }
    weights[id] = weight;
  }
  checkWeights(weights);
  return { tokenizer: tokenizer.name, weights };
}

function checkWeights(weights: Float32Array): void {
  for (let id = 0; id < weights.length; id++) {
    const weight = weights[id];
    if (!(weight >= 0) || weight === Number.POSITIVE_INFINITY) {
      throw invalid(`weight of id ${id} is ${weight}; weights must be finite and ≥ 0`);
    }
  }
}

function invalid(what: string): EncoderError {
  return new EncoderError('invalid_weight_table', `weight table: ${what}`);
}
