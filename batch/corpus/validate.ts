/**
 * Turns one raw corpus line into a CorpusDocument or a reject reason. Accepted shapes are BEIR's
 * `{"_id", "title", "text", …}` and plain `{"id", "text", …}`; an integer id is accepted and turned into
 * its decimal string (some JSONL corpora write numeric ids). The line's `metadata` and every field csplade
 * does not know become the document's metadata, keys verbatim (metadata.ts). The UTF-8 check is strict (a
 * fatal TextDecoder) so that mojibake is rejected where it enters instead of being indexed as U+FFFD.
 *
 * A line whose metadata has a `__proto__` key at any depth is rejected (`reserved_key`): JSON.parse keeps
 * it as a plain key, but copying it into an object would set the prototype instead (the key lost, its
 * value leaking into every lookup), and msgpack readers rename it, so it could not come back verbatim
 * from a shard. A `url` that is present must be a string (`non_string_url`): it is shown as a link.
 *
 * In `vector` input mode (precomputed encoders, Anserini's JsonVectorCollection lines
 * `{"id", "contents", "vector": {"token": weight}}`) the vector is required instead of the text, and
 * `contents` counts as the text.
 */
import type { CorpusDocument } from './document.ts';
import { hashString64 } from './hash64.ts';
import type { RawLine } from './lines.ts';
import { metadataOf } from './metadata.ts';

export type RejectReason =
  | 'blank_line'
  | 'line_too_long'
  | 'invalid_utf8'
  | 'invalid_json'
  | 'not_an_object'
  | 'missing_id'
  | 'invalid_id'
  | 'missing_text'
  | 'non_string_text'
  | 'empty_text'
  | 'non_string_title'
  | 'non_string_url'
  | 'reserved_key'
  | 'missing_vector'
  /** Extra fields of the line and its `metadata` field cannot be kept together (metadata.ts). */
  | 'metadata_conflict'
  /** Set by the encode stage: the encoder refused the document (e.g. an unknown token in its vector). */
  | 'encoder_error'
  | 'duplicate_id';

export type LineVerdict =
  | { readonly ok: true; readonly doc: CorpusDocument }
  | { readonly ok: false; readonly reason: RejectReason; readonly detail: string; readonly id?: string };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const KNOWN = new Set(['_id', 'id', 'title', 'text', 'url']);
const KNOWN_VECTOR = new Set([...KNOWN, 'contents', 'vector']);

export type InputMode = 'text' | 'vector';

const reject = (reason: RejectReason, detail: string, id?: string): LineVerdict => ({
  ok: false,
  reason,
  detail,
  id,
});

/** Validates one line; duplicate ids are the caller's concern (it holds the set of seen ids). */
export function validateLine(line: RawLine, mode: InputMode = 'text'): LineVerdict {
  if (line.tooLong) return reject('line_too_long', `line longer than ${line.bytes.length} bytes`);
  let text: string;
  try {
    text = utf8.decode(line.bytes);
  } catch {
    return reject('invalid_utf8', 'line is not valid UTF-8');
  }
  if (text.trim() === '') return reject('blank_line', 'line is empty');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return reject('invalid_json', (error as Error).message);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return reject(
      'not_an_object',
      `expected a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}`,
    );
  }
  const record = value as Record<string, unknown>;
  const rawId = record._id !== undefined ? record._id : record.id;
  if (rawId === undefined || rawId === null) return reject('missing_id', 'no "_id" or "id" field');
  let id: string;
  if (typeof rawId === 'string') id = rawId;
  else if (typeof rawId === 'number' && Number.isSafeInteger(rawId)) id = String(rawId);
  else return reject('invalid_id', `id must be a string or an integer, got ${JSON.stringify(rawId)}`);
  if (id === '') return reject('invalid_id', 'id is an empty string');
  let vector: Record<string, unknown> | undefined;
  let body: unknown = record.text;
  if (mode === 'vector') {
    const v = record.vector;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      return reject('missing_vector', 'no "vector" object ({"token": weight})', id);
    }
    vector = v as Record<string, unknown>;
    body = record.text ?? record.contents ?? '';
    if (typeof body !== 'string')
      return reject('non_string_text', `"text"/"contents" is a ${typeof body}`, id);
  } else {
    if (body === undefined || body === null) return reject('missing_text', 'no "text" field', id);
    if (typeof body !== 'string') return reject('non_string_text', `"text" is a ${typeof body}`, id);
    if (body.trim() === '') return reject('empty_text', '"text" is empty or whitespace', id);
  }
  if (record.title !== undefined && record.title !== null && typeof record.title !== 'string') {
    return reject('non_string_title', `"title" is a ${typeof record.title}`, id);
  }
  if (record.url !== undefined && record.url !== null && typeof record.url !== 'string') {
    return reject('non_string_url', `"url" is ${describeType(record.url)}, expected a string`, id);
  }
  const known = mode === 'vector' ? KNOWN_VECTOR : KNOWN;
  for (const key of Object.keys(record)) {
    if (known.has(key)) continue;
    const path = protoKeyPath(record[key], key);
    if (key === '__proto__' || path) {
      return reject(
        'reserved_key',
        `metadata key "__proto__" (at ${path ?? key}) cannot be stored verbatim; rename it`,
        id,
      );
    }
  }
  const doc: { -readonly [K in keyof CorpusDocument]: CorpusDocument[K] } = {
    id,
    text: body as string,
    lineNumber: line.lineNumber,
    idHash: hashString64(id),
  };
  if (typeof record.title === 'string' && record.title !== '') doc.title = record.title;
  if (typeof record.url === 'string' && record.url !== '') doc.url = record.url;
  if (vector) doc.vector = vector;
  // No "__proto__" can reach here (rejected above).
  const metadata = metadataOf(record, known);
  if (!metadata.ok) return reject('metadata_conflict', metadata.detail, id);
  if (metadata.metadata !== undefined) doc.metadata = metadata.metadata;
  return { ok: true, doc };
}

function describeType(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return `a ${typeof value}`;
}

/** The path of the first "__proto__" key inside a parsed JSON value, e.g. "extra.a.__proto__". */
function protoKeyPath(value: unknown, path: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = protoKeyPath(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (key === '__proto__') return `${path}.__proto__`;
    const found = protoKeyPath((value as Record<string, unknown>)[key], `${path}.${key}`);
    if (found) return found;
  }
  return undefined;
}
