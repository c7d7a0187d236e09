/**
 * Object keys: the rules every backend enforces alike, and the one ordering `list` returns. Keys are
 * slash-separated paths without empty, "." or ".." segments, so the same key is valid in S3, in R2 and as
 * a relative file path (the local-folder backend maps keys onto folders). Ordering is by Unicode code
 * point, which equals the UTF-8 byte order S3 and R2 list in (JavaScript's `<` compares UTF-16 units and
 * differs for characters above U+FFFF).
 */
import { InvalidKeyError } from './errors.ts';

/** Throws InvalidKeyError unless `key` is a non-empty relative path of clean segments. */
export function assertValidKey(backend: string, key: string): void {
  if (key.length === 0) throw new InvalidKeyError(backend, key, 'empty');
  if (key.length > 1024) throw new InvalidKeyError(backend, key, 'longer than 1024 characters');
  if (key.includes('\0')) throw new InvalidKeyError(backend, key, 'contains a NUL character');
  if (key.includes('\\')) throw new InvalidKeyError(backend, key, 'contains a backslash');
  for (const segment of key.split('/')) {
    if (segment === '')
      throw new InvalidKeyError(backend, key, 'has an empty segment (leading, trailing or double "/")');
    if (segment === '.' || segment === '..')
      throw new InvalidKeyError(backend, key, `has a "${segment}" segment`);
  }
}

/** Code-point (= UTF-8 byte) order of two keys; the order `ObjectStore.list` returns. */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (0xD800–0xDFFF) encode code points above 0xFFFF, which sort after every BMP unit.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/**
 * The delimiter listing of `keys` (all under `prefix`): each distinct `prefix + segment + "/"` that
 * a key continues past, sorted like `list`. For backends without a native delimiter listing.
 */
export function commonPrefixes(keys: readonly string[], prefix: string): string[] {
  const found = new Set<string>();
  for (const key of keys) {
    const slash = key.indexOf('/', prefix.length);
    if (key.startsWith(prefix) && slash >= 0) found.add(key.slice(0, slash + 1));
  }
  return [...found].sort(compareKeys);
}
