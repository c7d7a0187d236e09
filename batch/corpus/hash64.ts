/**
 * 64-bit hashes of strings as two 32-bit halves (FNV-1a 64 from shared/encoders/fingerprint.ts), used for
 * document ids (duplicate detection, worker assignment) and content (the encoding cache key). Kept as
 * numbers rather than hex strings where they are compared in bulk; `hex64` gives the printable form.
 */
import { Fnv1a64 } from '../../shared/encoders/fingerprint.ts';

export interface Hash64 {
  readonly hi: number;
  readonly lo: number;
}

export function hashString64(text: string): Hash64 {
  const hex = new Fnv1a64().updateString(text).hex();
  return { hi: Number.parseInt(hex.slice(0, 8), 16), lo: Number.parseInt(hex.slice(8), 16) };
}

export function hex64(hash: Hash64): string {
  return (hash.hi >>> 0).toString(16).padStart(8, '0') + (hash.lo >>> 0).toString(16).padStart(8, '0');
}

/**
 * Which of `workers` workers owns a document: the id hash modulo the worker count, deterministic for every
 * worker of an array job without coordination. Uses both halves so the split stays even for any count.
 */
export function workerOf(idHash: Hash64, workers: number): number {
  return (((idHash.hi >>> 0) % workers) * (2 ** 32 % workers) + ((idHash.lo >>> 0) % workers)) % workers;
}
