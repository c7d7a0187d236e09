/**
 * Optional API keys: when the deployment configures key hashes, every /v1 request must carry
 * `Authorization: Bearer <key>` whose SHA-256 (lowercase hex) is one of them. Only hashes are stored
 * (a Workers secret or an environment variable), so a leaked configuration does not leak keys.
 * @example hashes from a shell: printf %s "$KEY" | sha256sum
 */
import { createMiddleware } from 'hono/factory';
import { ApiError } from './api-error.ts';

/** Parses a comma/whitespace separated list of hex SHA-256 hashes; rejects anything else loudly. */
export function parseKeyHashes(value: string | undefined): string[] {
  if (!value || value.trim() === '') return [];
  return value
    .split(/[\s,]+/)
    .filter((h) => h !== '')
    .map((h) => {
      const hash = h.toLowerCase();
      if (!/^[0-9a-f]{64}$/.test(hash)) {
        throw new Error(`API key hashes must be 64 hex characters (SHA-256), got "${h.slice(0, 8)}…"`);
      }
      return hash;
    });
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Middleware answering 401 unless the bearer key hashes to one of `hashes` (no-op when empty). */
export function requireApiKey(hashes: readonly string[]) {
  const allowed = new Set(hashes);
  return createMiddleware(async (c, next) => {
    if (allowed.size === 0) return next();
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) {
      c.header('www-authenticate', 'Bearer');
      throw new ApiError(
        401,
        'unauthorized',
        'missing API key: send "Authorization: Bearer <key>"',
        'authorization',
      );
    }
    if (!allowed.has(await sha256Hex(match[1]))) {
      c.header('www-authenticate', 'Bearer error="invalid_token"');
      throw new ApiError(401, 'unauthorized', 'the API key is not valid', 'authorization');
    }
    return next();
  });
}
