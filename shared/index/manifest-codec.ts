/**
 * Bytes of the two objects that define a published version: the manifest (msgpack, immutable) and the
 * CURRENT pointer (JSON, so a person can read and, in an emergency, edit it). Decoders check the fields a
 * reader relies on and name the one that is wrong, so a corrupt or foreign object fails with a clear
 * message instead of a TypeError deep inside a query. Runs in Workers (msgpackr, TextEncoder only).
 */
import { Packr } from 'msgpackr';
import { CspladeError } from '../errors.ts';
import { type CurrentPointer, type IndexManifest, MANIFEST_FORMAT_VERSION } from './manifest.ts';

/** A manifest or CURRENT pointer that does not decode or lacks a required field. */
export class ManifestFormatError extends CspladeError {
  constructor(what: string, detail: string, options?: { cause?: unknown }) {
    super('invalid_manifest', `${what}: ${detail}`, options);
  }
}

// Plain msgpack maps (no records extension), so any msgpack reader can inspect a manifest.
const packr = new Packr({ useRecords: false, moreTypes: true });
const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export function encodeManifest(manifest: IndexManifest): Uint8Array {
  return packr.pack(manifest);
}

export function decodeManifest(bytes: Uint8Array, what = 'manifest'): IndexManifest {
  let value: unknown;
  try {
    value = packr.unpack(bytes);
  } catch (cause) {
    throw new ManifestFormatError(what, 'not valid msgpack', { cause });
  }
  const m = value as Record<string, unknown>;
  const fail = (detail: string): never => {
    throw new ManifestFormatError(what, detail);
  };
  if (typeof m !== 'object' || m === null) fail('not a map');
  if (m.formatVersion !== MANIFEST_FORMAT_VERSION) {
    fail(
      `format version ${JSON.stringify(m.formatVersion)} is not supported (only ${MANIFEST_FORMAT_VERSION})`,
    );
  }
  for (const field of ['index', 'version', 'createdAt'] as const) {
    if (typeof m[field] !== 'string') fail(`"${field}" must be a string`);
  }
  const encoder = m.encoder as Record<string, unknown> | undefined;
  if (!encoder || typeof encoder.name !== 'string' || typeof encoder.fingerprint !== 'string') {
    fail('"encoder" must have a name and a fingerprint');
  }
  const impact = m.impact as Record<string, unknown> | undefined;
  if (!impact || !Number.isInteger(impact.bits) || !(typeof impact.scale === 'number' && impact.scale > 0)) {
    fail('"impact" must have integer bits and a positive scale');
  }
  for (const field of ['vocabSize', 'docs', 'postings'] as const) {
    if (!Number.isSafeInteger(m[field]) || (m[field] as number) < 0)
      fail(`"${field}" must be a non-negative integer`);
  }
  if (!Array.isArray(m.shards)) fail('"shards" must be a list');
  (m.shards as Record<string, unknown>[]).forEach((s, i) => {
    const hot = s?.hotRegion as Record<string, unknown> | undefined;
    if (
      typeof s?.key !== 'string' ||
      typeof s.checksum !== 'string' ||
      !Number.isSafeInteger(s.size) ||
      !Number.isSafeInteger(s.docBase) ||
      !Number.isSafeInteger(s.numDocs) ||
      !hot ||
      !Number.isSafeInteger(hot.offset) ||
      !Number.isSafeInteger(hot.length)
    ) {
      fail(`shard ${i} lacks key, size, checksum, docBase, numDocs or hotRegion`);
    }
  });
  return m as unknown as IndexManifest;
}

export function encodeCurrentPointer(pointer: CurrentPointer): Uint8Array {
  return utf8.encode(`${JSON.stringify(pointer)}\n`);
}

export function decodeCurrentPointer(bytes: Uint8Array, what = 'CURRENT'): CurrentPointer {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(utf8Decoder.decode(bytes));
  } catch (cause) {
    throw new ManifestFormatError(what, 'not a JSON object', { cause });
  }
  if (typeof value?.version !== 'string' || typeof value.manifestKey !== 'string') {
    throw new ManifestFormatError(what, 'needs string "version" and "manifestKey"');
  }
  return value as unknown as CurrentPointer;
}
