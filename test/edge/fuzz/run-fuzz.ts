/**
 * Sends fast-check generated requests (http-arbitraries.ts) to one running server and checks every
 * answer: no 5xx other than a 503 by design (a JSON error with Retry-After), every error a JSON body of
 * exactly `{error: {code, message, field?}}` without a stack trace, an answer to every request, the
 * server process alive, and — after each batch — a correct answer to a known query. Runs `concurrency`
 * requests at a time (one fast-check run is one such group), from a seed that replays the same requests.
 */
import fc from 'fast-check';
import { type RawRequest, type RawResponse, sendRaw } from '../helpers/raw-http.ts';
import { type FuzzRequest, type FuzzTargets, fuzzRequest } from './http-arbitraries.ts';

export interface FuzzServer {
  readonly name: string;
  readonly url: string;
  /** Whether the server process still runs. */
  alive(): boolean;
}

export interface FuzzOptions {
  readonly requests: number;
  readonly seed: number;
  readonly targets: FuzzTargets;
  /** Requests in flight at once (default 8). */
  readonly concurrency?: number;
  /** A known query is checked after every this many requests (default 200), and at the end. */
  readonly checkEvery?: number;
  /** Sends the known query; resolves to a problem description, or null when the answer is right. */
  readonly reference: (url: string) => Promise<string | null>;
}

export interface FuzzViolation {
  readonly what: string;
  readonly request: { method: string; path: string; kind: string; headers: Record<string, string> };
  readonly status: number;
  readonly body: string;
}

export interface FuzzReport {
  readonly requests: number;
  readonly unexpected_5xx: number;
  readonly crashes: number;
  /** Error answers not in the documented JSON shape (or with a stack trace). */
  readonly bad_error_bodies: number;
  /** Requests that got no HTTP answer at all. */
  readonly no_answer: number;
  /**
   * Requests the runtime's own HTTP server refused before the app ran: workerd answers an extension
   * method it does not know (FOO, M-SEARCH) with a plain-text 501, or resets the connection when such a
   * request carries a body (Node's parser refuses them too, and edge/node.ts answers those with the JSON
   * error shape).
   */
  readonly runtime_refusals: number;
  readonly reference_checks: number;
  readonly reference_failures: number;
  readonly statuses: Record<string, number>;
  readonly seed: number;
  readonly seconds: number;
  /** The first few violations, as sent. */
  readonly examples: FuzzViolation[];
}

/** workerd's HTTP server on an unknown method: a 501 of its own, before any Worker code runs. */
const WORKERD_UNKNOWN_METHOD = /^ERROR: Unrecognized request method\.?$/;
const KNOWN_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'PATCH',
  'OPTIONS',
  'TRACE',
  'PROPFIND',
]);

const STACK_TRACE = /\n\s+at |at [\w$.<>]+ \(.*:\d+:\d+\)/;

/** Why `res` breaks the error shape, or null. */
export function errorShapeProblem(res: RawResponse): string | null {
  if (!/^application\/json\b/.test(String(res.headers['content-type'] ?? ''))) {
    return `content-type ${res.headers['content-type']}`;
  }
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    return 'body is not JSON';
  }
  const b = body as { error?: Record<string, unknown> };
  if (typeof body !== 'object' || body === null || Object.keys(body).join() !== 'error') return 'not {error}';
  const e = b.error;
  if (typeof e !== 'object' || e === null) return 'error is not an object';
  const keys = Object.keys(e);
  if (!keys.every((k) => k === 'code' || k === 'message' || k === 'field'))
    return `error keys ${keys.join()}`;
  if (typeof e.code !== 'string' || typeof e.message !== 'string') return 'code/message not strings';
  if (e.field !== undefined && typeof e.field !== 'string') return 'field not a string';
  if (STACK_TRACE.test(e.message)) return 'stack trace in message';
  return null;
}

export async function runFuzz(server: FuzzServer, options: FuzzOptions): Promise<FuzzReport> {
  const started = performance.now();
  const concurrency = options.concurrency ?? 8;
  const checkEvery = options.checkEvery ?? 200;
  const tally = new FuzzTally();
  let sinceCheck = 0;
  const check = async (req: FuzzRequest) => {
    const res = await sendRaw(server.url, rawRequestOf(req));
    tally.answered(req, res, verdictOf(server.name, req, res));
  };
  await fc.assert(
    fc.asyncProperty(
      fc.array(fuzzRequest(options.targets), { minLength: concurrency, maxLength: concurrency }),
      async (batch) => {
        if (tally.crashed) return;
        await Promise.all(batch.map(check));
        if (!server.alive()) tally.crashed = true;
        sinceCheck += batch.length;
        if (sinceCheck >= checkEvery) {
          sinceCheck = 0;
          await tally.referenceCheck(server, options.reference);
        }
      },
    ),
    { numRuns: Math.ceil(options.requests / concurrency), seed: options.seed },
  );
  await tally.referenceCheck(server, options.reference);
  return tally.report(options.seed, Math.round((performance.now() - started) / 100) / 10);
}

/** A fuzz request as sendRaw sends it: a body in one piece, or in chunks (slowly, or stalling). */
function rawRequestOf(req: FuzzRequest): RawRequest {
  return {
    method: req.method,
    path: req.path,
    headers: req.headers,
    ...(req.body
      ? {
          body:
            req.body.chunkBytes === 0 && req.body.stallAfter === undefined
              ? req.body.bytes
              : {
                  bytes: req.body.bytes,
                  chunkBytes: req.body.chunkBytes || 8,
                  delayMs: req.body.delayMs,
                  ...(req.body.stallAfter !== undefined ? { stallAfter: req.body.stallAfter } : {}),
                },
        }
      : {}),
    timeoutMs: 30_000,
  };
}

/** What one answer counts as, and the violation it shows (none for an answer that is fine). */
type Verdict =
  | { readonly count: 'runtimeRefusals' }
  | { readonly count: 'noAnswer' | 'unexpected5xx' | 'badBodies'; readonly what: string }
  | null;

function verdictOf(serverName: string, req: FuzzRequest, res: RawResponse): Verdict {
  if (res.status === 0 && serverName === 'workerd' && !KNOWN_METHODS.has(req.method) && req.body) {
    // workerd refused the method and closed the connection with the body unread: a reset.
    return { count: 'runtimeRefusals' };
  }
  if (res.status === 0) return { count: 'noAnswer', what: `no answer: ${res.error}` };
  const head = req.method.toUpperCase() === 'HEAD';
  // The text may be cut short when workerd closes the connection on the body it did not read.
  const refusalText = res.body.trim() === '' || WORKERD_UNKNOWN_METHOD.test(res.body.trim());
  if (serverName === 'workerd' && res.status === 501 && !KNOWN_METHODS.has(req.method) && refusalText) {
    return { count: 'runtimeRefusals' };
  }
  if (res.status >= 500) {
    const byDesign = res.status === 503 && /^\d+$/.test(String(res.headers['retry-after'] ?? ''));
    if (!byDesign) return { count: 'unexpected5xx', what: `unexpected ${res.status}` };
  }
  if (res.status >= 400 && !head) {
    const problem = errorShapeProblem(res);
    if (problem) return { count: 'badBodies', what: `error body: ${problem}` };
  }
  return null;
}

/** The counts of a fuzz run, its statuses and its first few violations. */
class FuzzTally {
  crashed = false;
  readonly #statuses: Record<string, number> = {};
  readonly #examples: FuzzViolation[] = [];
  readonly #counts = {
    requests: 0,
    unexpected5xx: 0,
    badBodies: 0,
    noAnswer: 0,
    runtimeRefusals: 0,
    checks: 0,
    checkFailures: 0,
  };

  answered(req: FuzzRequest, res: RawResponse, verdict: Verdict): void {
    this.#counts.requests++;
    const key = res.status === 0 ? `none (${res.error})` : String(res.status);
    this.#statuses[key] = (this.#statuses[key] ?? 0) + 1;
    if (!verdict) return;
    this.#counts[verdict.count]++;
    if ('what' in verdict) {
      this.#example({
        what: verdict.what,
        request: { method: req.method, path: req.path.slice(0, 300), kind: req.kind, headers: req.headers },
        status: res.status,
        body: res.body.slice(0, 300),
      });
    }
  }

  /** Whether the server still runs and answers the known query right. */
  async referenceCheck(server: FuzzServer, reference: FuzzOptions['reference']): Promise<void> {
    this.#counts.checks++;
    if (!server.alive()) {
      this.crashed = true;
      return;
    }
    const problem = await reference(server.url).catch(
      (error: Error) => `reference query failed: ${error.message}`,
    );
    if (problem) {
      this.#counts.checkFailures++;
      this.#example({
        what: `reference: ${problem}`,
        request: { method: 'POST', path: '(reference)', kind: 'reference', headers: {} },
        status: 0,
        body: '',
      });
    }
  }

  report(seed: number, seconds: number): FuzzReport {
    const counts = this.#counts;
    return {
      requests: counts.requests,
      unexpected_5xx: counts.unexpected5xx,
      crashes: this.crashed ? 1 : 0,
      bad_error_bodies: counts.badBodies,
      no_answer: counts.noAnswer,
      runtime_refusals: counts.runtimeRefusals,
      reference_checks: counts.checks,
      reference_failures: counts.checkFailures,
      statuses: this.#statuses,
      seed,
      seconds,
      examples: this.#examples,
    };
  }

  #example(violation: FuzzViolation): void {
    if (this.#examples.length < 10) this.#examples.push(violation);
  }
}
