/**
 * Reads a JSON request body within a byte limit and a time limit, both enforced while the bytes stream
 * in: a declared Content-Length over the limit is refused before reading, and a chunked body (which
 * declares nothing) is refused as soon as it crosses the limit, so the server never holds more than the
 * limit of any body. A body that has not arrived whole within its deadline (a slow or stalled client) is
 * a 408. Runs the same in Node (@hono/node-server) and workerd: only the web ReadableStream API.
 *
 * The rest of a refused body is read and discarded (never kept) until it ends or the body deadline
 * passes: a server that closes a connection with unread bytes in it sends a reset, and the client loses
 * the 413 that was on its way. When that happens is the runtime's choice (`refused`): Node answers at
 * once and discards in the background (`answer-then-discard`; @hono/node-server itself drains bodies no
 * route read); workerd resets a connection whose body was left unread once the answer is out, whatever
 * runs after it, so the Worker discards first and answers then (`discard-then-answer`, for bodies no
 * route read too: `discardUnreadBody`).
 * @example const body = await readJsonBody(c.req.raw, { maxBytes: 256 * 1024, timeoutMs: 10_000 });
 */
import { ApiError, invalidField } from './api-error.ts';

export interface BodyLimits {
  /** Largest body, in bytes. */
  readonly maxBytes: number;
  /** Most milliseconds the whole body may take to arrive. */
  readonly timeoutMs: number;
  /** When the rest of a body over the limit is discarded: after answering 413 (default) or before. */
  readonly refused?: RefusedBody;
}

export type RefusedBody = 'answer-then-discard' | 'discard-then-answer';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** The body parsed as JSON; 415 unless it is declared application/json, 413, 408 or 400 as it goes. */
export async function readJsonBody(request: Request, limits: BodyLimits): Promise<unknown> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new ApiError(
      415,
      'unsupported_media_type',
      `send the body as application/json, got "${type.slice(0, 100) || 'none'}"`,
      'content-type',
    );
  }
  const bytes = await readBodyBytes(request, limits);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw invalidField('body', 'is not valid UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw invalidField('body', `is not valid JSON (${(error as Error).message.slice(0, 200)})`);
  }
}

/** The body's bytes, read chunk by chunk under both limits. */
export async function readBodyBytes(request: Request, limits: BodyLimits): Promise<Uint8Array> {
  const declared = request.headers.get('content-length');
  const declaredTooLarge = declared !== null && Number(declared) > limits.maxBytes;
  const overLimit = () =>
    tooLarge(
      declaredTooLarge
        ? `the body declares ${declared} bytes, more than the limit of ${limits.maxBytes}`
        : `the body is longer than the limit of ${limits.maxBytes} bytes`,
    );
  if (!request.body) {
    if (declaredTooLarge) throw overLimit();
    return new Uint8Array(0);
  }
  const reader = request.body.getReader();
  const deadline = Date.now() + limits.timeoutMs;
  const discardFirst = limits.refused === 'discard-then-answer';
  if (declaredTooLarge && !discardFirst) {
    void discardRest(reader, deadline);
    throw overLimit();
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  let refused = declaredTooLarge;
  for (;;) {
    const next = await readBefore(reader, deadline);
    if (next === 'expired') {
      if (refused) throw overLimit();
      throw new ApiError(
        408,
        'body_timeout',
        `the body did not arrive within ${limits.timeoutMs} ms (${total} bytes came)`,
        'body',
      );
    }
    if (next.done) break;
    total += next.value.length;
    if (refused) continue;
    if (total > limits.maxBytes) {
      if (!discardFirst) {
        void discardRest(reader, deadline);
        throw overLimit();
      }
      refused = true;
      chunks.length = 0;
      continue;
    }
    chunks.push(next.value);
  }
  if (refused) throw overLimit();
  if (chunks.length === 1) return chunks[0];
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}

/**
 * Before answering in `discard-then-answer` mode: drops a body no route read (a POST to a route that
 * takes none, a 401 or 415 answered before reading), so that workerd does not reset the connection and
 * lose the answer. Waits at most `timeoutMs` (a stalled body is answered when it passes).
 */
export async function discardUnreadBody(request: Request, timeoutMs: number): Promise<void> {
  if (!request.body || request.bodyUsed || request.body.locked) return;
  await discardRest(request.body.getReader(), Date.now() + timeoutMs);
}

/** Reads what is left of a body and drops it, until it ends, fails or `deadline` passes. */
async function discardRest(reader: Reader, deadline: number): Promise<void> {
  try {
    for (;;) {
      const next = await readBefore(reader, deadline);
      if (next === 'expired' || next.done) break;
    }
    // An expired read is still pending: the lock stays (workerd refuses to release it), harmlessly.
    reader.releaseLock();
  } catch {
    // The client went away, or the lock cannot be released: nothing left to do.
  }
}

/**
 * One read, or 'expired' at `deadline` (Date.now() time). A fresh timer per read: racing every read
 * against one long-lived promise would keep each read's result (every chunk) reachable until it settled.
 */
type Reader = ReadableStreamDefaultReader<Uint8Array>;

async function readBefore(
  reader: Reader,
  deadline: number,
): Promise<Awaited<ReturnType<Reader['read']>> | 'expired'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<'expired'>((resolve) => {
    timer = setTimeout(() => resolve('expired'), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([reader.read(), expired]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

function tooLarge(message: string): ApiError {
  return new ApiError(413, 'body_too_large', message, 'body');
}
