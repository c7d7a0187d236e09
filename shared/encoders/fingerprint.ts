/**
 * Stable fingerprints: FNV-1a 64-bit over the UTF-8 bytes of canonical JSON (object keys sorted,
 * no whitespace). Synchronous and dependency-free so it runs the same in Node and Workers (Web
 * Crypto's digest is async). FNV is not cryptographic; fingerprints only key caches and check that
 * the query side matches the index, where accidental collisions (2^-64) are what matters.
 */

const OFFSET_HI = 0xcbf29ce4;
const OFFSET_LO = 0x84222325;
const TWO_POW_32 = 4294967296;
const utf8 = new TextEncoder();

/** Incremental FNV-1a 64 (the state is two 32-bit halves; the prime is 2^40 + 0x1b3). */
export class Fnv1a64 {
  private hi = OFFSET_HI;
  private lo = OFFSET_LO;

  update(bytes: Uint8Array): this {
    let hi = this.hi;
    let lo = this.lo;
    for (let i = 0; i < bytes.length; i++) {
      lo = (lo ^ bytes[i]) >>> 0;
      const loTimesSmall = lo * 0x1b3; // < 2^41: exact in a double
      hi = (Math.imul(hi, 0x1b3) + Math.floor(loTimesSmall / TWO_POW_32) + (lo << 8)) >>> 0;
      lo = loTimesSmall >>> 0;
    }
    this.hi = hi;
    this.lo = lo;
    return this;
  }

  updateString(text: string): this {
    return this.update(utf8.encode(text));
  }

  /** 16 lowercase hex digits. */
  hex(): string {
    return this.hi.toString(16).padStart(8, '0') + this.lo.toString(16).padStart(8, '0');
  }
}

/**
 * JSON with object keys sorted at every level, so equal values always give equal text.
 * `undefined` members are omitted (as JSON.stringify does); non-finite numbers are refused because
 * JSON would silently turn them into null.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} has no JSON form`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (ArrayBuffer.isView(value)) return canonicalJson(Array.from(value as unknown as ArrayLike<number>));
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
    return `{${members.join(',')}}`;
  }
  throw new TypeError(`canonicalJson: a ${typeof value} has no JSON form`);
}

/** Fingerprint of any JSON-able value: "fnv1a64:<16 hex digits>". */
export function fingerprintOf(value: unknown): string {
  return `fnv1a64:${new Fnv1a64().updateString(canonicalJson(value)).hex()}`;
}
