/**
 * The doc-id map: local doc number → external id, kept in the hot region so hits get their ids
 * without another read. Three encodings, chosen by the writer as the most compact that reproduces
 * every id exactly:
 *   - `sequential`: ids are `prefix + (first + i)` (e.g. "doc0", "doc1", …): no column at all;
 *   - `numeric`: ids are `prefix + n` with a canonical decimal n < 2^32: one Uint32 column;
 *   - `strings`: anything else: UTF-8 bytes of all ids plus a Uint32 offsets column (n + 1 entries).
 * Columns are raw little-endian typed arrays (sections of the hot region), viewed without copying.
 */
import { ShardFormatError, ShardInputError } from './errors.ts';

export type DocMapMeta =
  | { readonly kind: 'sequential'; readonly prefix: string; readonly first: number }
  | { readonly kind: 'numeric'; readonly prefix: string }
  | { readonly kind: 'strings' };

export interface EncodedDocMap {
  readonly meta: DocMapMeta;
  /** Hot-region sections (name → bytes) this encoding needs. */
  readonly sections: ReadonlyMap<string, Uint8Array>;
}

export const DOCMAP_IDS = 'docmap.ids';
export const DOCMAP_OFFSETS = 'docmap.offsets';
export const DOCMAP_BYTES = 'docmap.bytes';

// UTF-8 cannot carry a lone surrogate: it would come back as U+FFFD, a different id.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const CANONICAL_UINT = /^(0|[1-9][0-9]{0,9})$/;

/** Chooses and builds the most compact encoding of `ids`. */
export function encodeDocMap(ids: readonly string[]): EncodedDocMap {
  const numeric = numericSplit(ids);
  if (numeric) {
    const { prefix, values } = numeric;
    let sequential = true;
    for (let i = 1; i < values.length && sequential; i++) sequential = values[i] === values[0] + i;
    if (sequential && values.length > 0 && values[0] + values.length - 1 <= 0xffffffff) {
      return { meta: { kind: 'sequential', prefix, first: values[0] }, sections: new Map() };
    }
    return { meta: { kind: 'numeric', prefix }, sections: new Map([[DOCMAP_IDS, u8(values)]]) };
  }
  const encoder = new TextEncoder();
  const offsets = new Uint32Array(ids.length + 1);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (let i = 0; i < ids.length; i++) {
    if (LONE_SURROGATE.test(ids[i])) {
      throw new ShardInputError(`external id of document ${i} contains a lone surrogate (not valid Unicode)`);
    }
    const bytes = encoder.encode(ids[i]);
    chunks.push(bytes);
    total += bytes.length;
    if (total > 0xffffffff) throw new ShardInputError('external ids exceed 4 GiB of UTF-8 in one shard');
    offsets[i + 1] = total;
  }
  const all = new Uint8Array(total);
  for (let i = 0; i < chunks.length; i++) all.set(chunks[i], offsets[i]);
  return {
    meta: { kind: 'strings' },
    sections: new Map([
      [DOCMAP_OFFSETS, u8(offsets)],
      [DOCMAP_BYTES, all],
    ]),
  };
}

/** Read side: resolves local doc numbers to external ids. */
export interface DocMap {
  externalId(localDoc: number): string;
}

/**
 * Builds a DocMap over already-checked meta and section views; validates columns so that every
 * later lookup is in bounds. `section(name)` returns the named section's bytes or undefined.
 */
export function decodeDocMap(
  meta: unknown,
  numDocs: number,
  section: (name: string) => Uint8Array | undefined,
  u32: (bytes: Uint8Array) => Uint32Array,
  shard: string,
): DocMap {
  const bad = (detail: string) => new ShardFormatError(shard, 'doc map', detail);
  if (typeof meta !== 'object' || meta === null) throw bad('missing description');
  const m = meta as Record<string, unknown>;
  if (m.kind === 'sequential') {
    const { prefix, first } = m;
    if (typeof prefix !== 'string' || !Number.isInteger(first) || (first as number) < 0) {
      throw bad('sequential map needs a string prefix and an integer first id');
    }
    if ((first as number) + numDocs - 1 > 0xffffffff)
      throw bad(`first id ${first} + ${numDocs} docs overflows`);
    return { externalId: (d) => prefix + String((first as number) + d) };
  }
  if (m.kind === 'numeric') {
    const { prefix } = m;
    const bytes = section(DOCMAP_IDS);
    if (typeof prefix !== 'string' || !bytes)
      throw bad('numeric map needs a string prefix and an ids column');
    if (bytes.length !== numDocs * 4)
      throw bad(`ids column has ${bytes.length} bytes, expected ${numDocs * 4}`);
    const values = u32(bytes);
    return { externalId: (d) => prefix + String(values[d]) };
  }
  if (m.kind === 'strings') {
    const offsetBytes = section(DOCMAP_OFFSETS);
    const all = section(DOCMAP_BYTES);
    if (!offsetBytes || !all) throw bad('strings map needs offsets and bytes columns');
    if (offsetBytes.length !== (numDocs + 1) * 4) {
      throw bad(`offsets column has ${offsetBytes.length} bytes, expected ${(numDocs + 1) * 4}`);
    }
    const offsets = u32(offsetBytes);
    if (offsets[0] !== 0 || offsets[numDocs] !== all.length) {
      throw bad(`offsets must run from 0 to ${all.length}, got ${offsets[0]}..${offsets[numDocs]}`);
    }
    for (let i = 0; i < numDocs; i++) {
      if (offsets[i + 1] < offsets[i]) throw bad(`offsets decrease at doc ${i}`);
    }
    // fatal: a bit flip inside an id must not silently become U+FFFD; ignoreBOM keeps a leading U+FEFF.
    const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    return {
      externalId(d) {
        try {
          return decoder.decode(all.subarray(offsets[d], offsets[d + 1]));
        } catch (cause) {
          throw new ShardFormatError(shard, 'doc map', `external id of doc ${d} is not valid UTF-8`, {
            cause,
          });
        }
      },
    };
  }
  throw bad(`unknown kind ${JSON.stringify(m.kind)}`);
}

/** Splits ids into one shared prefix and canonical decimal numbers, or null when they don't fit. */
function numericSplit(ids: readonly string[]): { prefix: string; values: Uint32Array } | null {
  if (ids.length === 0) return null;
  const first = /^(.*?)(0|[1-9][0-9]*)$/.exec(ids[0]);
  if (!first) return null;
  const prefix = first[1];
  const values = new Uint32Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!id.startsWith(prefix)) return null;
    const digits = id.slice(prefix.length);
    if (!CANONICAL_UINT.test(digits)) return null;
    const n = Number(digits);
    if (n > 0xffffffff) return null;
    values[i] = n;
  }
  return { prefix, values };
}

function u8(a: Uint32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
