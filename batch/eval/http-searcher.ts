/**
 * Searches through the edge API: `POST <endpoint>/v1/indexes/<index>/search {"query","k"}` →
 * `{hits: [{id, score}]}`. A 429 or 5xx is retried twice with backoff (a warming Worker or a busy
 * server must not turn into a zero for that query); anything else fails the evaluation with the
 * status and the API's error message, never a silently empty ranking. An API key, when given, is
 * sent as `Authorization: Bearer`. `fetch` is injectable so tests can use Hono's `app.request`.
 */
import { SearchBackendError } from '../../shared/eval/errors.ts';
import type { ScoredDoc } from '../../shared/eval/types.ts';
import type { Searcher } from './searcher.ts';

export interface HttpSearcherOptions {
  readonly endpoint: string;
  readonly index: string;
  readonly apiKey?: string;
  readonly fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** Retries of a 429/5xx/network failure (default 2). */
  readonly retries?: number;
  readonly retryDelayMs?: number;
  /** Search mode sent with every query (absent: the index's default). */
  readonly mode?: 'exact' | 'approximate';
}

export function createHttpSearcher(options: HttpSearcherOptions): Searcher {
  let base: URL;
  try {
    base = new URL(options.endpoint);
  } catch (cause) {
    throw new SearchBackendError(`--endpoint "${options.endpoint}" is not a URL`, { cause });
  }
  const url = new URL(
    `${base.pathname.replace(/\/$/, '')}/v1/indexes/${encodeURIComponent(options.index)}/search`,
    base,
  ).toString();
  const doFetch = options.fetch ?? ((input: string, init: RequestInit) => fetch(input, init));
  const retries = options.retries ?? 2;
  const delayMs = options.retryDelayMs ?? 200;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;

  async function attempt(
    query: string,
    k: number,
  ): Promise<{ retry: boolean; error?: string; hits?: ScoredDoc[] }> {
    let response: Response;
    try {
      const body = options.mode ? { query, k, mode: options.mode } : { query, k };
      response = await doFetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
    } catch (cause) {
      return { retry: true, error: `request to ${url} failed: ${(cause as Error).message}` };
    }
    const body = await response.text();
    if (!response.ok) {
      const retry = response.status === 429 || response.status >= 500;
      return { retry, error: `${url} answered ${response.status}: ${body.slice(0, 300)}` };
    }
    return { retry: false, hits: parseHits(body, url) };
  }

  return {
    description: `${options.endpoint} index ${options.index}`,
    async search(query, k) {
      let lastError = '';
      for (let i = 0; i <= retries; i++) {
        if (i > 0) await new Promise((resolve) => setTimeout(resolve, delayMs * 2 ** (i - 1)));
        const result = await attempt(query, k);
        if (result.hits) return result.hits;
        lastError = result.error ?? 'unknown error';
        if (!result.retry) break;
      }
      throw new SearchBackendError(lastError);
    },
  };
}

function parseHits(body: string, url: string): ScoredDoc[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (cause) {
    throw new SearchBackendError(`${url} answered with a body that is not JSON: ${body.slice(0, 200)}`, {
      cause,
    });
  }
  const hits = (parsed as { hits?: unknown }).hits;
  if (!Array.isArray(hits)) throw new SearchBackendError(`${url} answered without a "hits" array`);
  return hits.map((hit, i) => {
    const { id, score } = (hit ?? {}) as { id?: unknown; score?: unknown };
    if (typeof id !== 'string' || typeof score !== 'number') {
      throw new SearchBackendError(`${url}: hit ${i} lacks a string "id" and a number "score"`);
    }
    return { docId: id, score };
  });
}
