/**
 * Settling a conditional put whose outcome is unknown. A timeout, a dropped connection or a 5xx after a
 * conditional PUT may hide a write that happened (radosgw even answers 500 to the losers of a concurrent
 * If-Match race). Reading the key back decides: our bytes there means we won; the condition visibly broken
 * by someone else's object means we lost (PreconditionFailed is then the correct, linearizable answer);
 * an untouched key means nothing happened and the failure was transient. Equal bytes from another writer
 * are indistinguishable from ours, and harmless: the stored state is the one we asked for.
 */
import type { ObjectInfo, ObjectStore, PutOptions } from './object-store.ts';

export type AmbiguousPutOutcome =
  | { readonly kind: 'won'; readonly info: ObjectInfo }
  | { readonly kind: 'lost'; readonly reason: string }
  | { readonly kind: 'unknown' };

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Only meaningful for conditional puts; an unconditional put is simply retried. */
export async function settleAmbiguousPut(
  store: Pick<ObjectStore, 'get'>,
  key: string,
  bytes: Uint8Array,
  options: PutOptions,
): Promise<AmbiguousPutOutcome> {
  const current = await store.get(key);
  if (options.ifNoneMatch === '*') {
    if (!current) return { kind: 'unknown' };
    if (sameBytes(current.bytes, bytes)) return { kind: 'won', info: current.info };
    return { kind: 'lost', reason: 'If-None-Match: * but another writer created the key' };
  }
  if (options.ifMatch !== undefined) {
    if (current?.info.etag === options.ifMatch) return { kind: 'unknown' };
    if (current && sameBytes(current.bytes, bytes)) return { kind: 'won', info: current.info };
    const now = current ? `etag is now ${current.info.etag}` : 'key is now absent';
    return { kind: 'lost', reason: `If-Match ${options.ifMatch} but ${now}` };
  }
  return { kind: 'unknown' };
}
