/**
 * The deadline of a whole request: whatever the routes are waiting for (a store read, a shard, the body),
 * the caller gets an answer within `ms` — a 503 `deadline_exceeded` with Retry-After when the routes have
 * not answered by then. It wraps the routes' fetch from outside their Hono context, so a handler that
 * finishes late cannot touch the response already sent; the late work itself ends at the store and shard
 * deadlines below it.
 * @example app.all('*', (c) => answerWithin(routes.fetch(c.req.raw, c.env), 20_000));
 */
import { ApiError } from './api-error.ts';

export const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;

export async function answerWithin(answer: Response | Promise<Response>, ms: number): Promise<Response> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<Response>((resolve) => {
    timer = setTimeout(() => resolve(deadlineExceeded(ms).toResponse()), ms);
  });
  try {
    return await Promise.race([answer, expired]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

function deadlineExceeded(ms: number): ApiError {
  return new ApiError(
    503,
    'deadline_exceeded',
    `the request did not complete within ${ms} ms (the index store or its shards answer too slowly)`,
  );
}
