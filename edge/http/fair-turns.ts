/**
 * Fair turns for the requests of one workerd isolate.
 *
 * workerd's event loop (KJ) looks at its sockets only when no event is runnable. Under a load at the
 * server's capacity (requests arriving as fast as they are answered) that moment never comes: a
 * connection whose next request is already in its socket buffer when the server finishes the previous
 * answer is read at once, without asking the sockets, and served again; a connection that was not ready
 * at that instant waits for a poll that does not happen. Under the soak's load (64 keep-alive
 * connections, `npm run bench:soak -- --runtimes workerd`) part of the connections were served over and
 * over while the others went unread for seconds, until workerd's keep-alive timeout (5 s after the
 * previous answer) closed them with the request unread: ECONNRESET at the client, and a p99 latency many
 * times the median (a packet capture of that run showed both). The Node entry does not need this: libuv
 * polls its sockets on every turn of its loop.
 *
 * So a request that arrives while others of the isolate are in flight first waits one timer turn: a
 * timer fires only after the loop has run out of runnable events and polled, so every such wait makes
 * the loop poll every socket, and all connections take turns. A request alone in its isolate (the
 * common case) does not wait.
 */

/** A fetch-like handler: any arguments, answers a Response. */
type Handler<Args extends unknown[]> = (...args: Args) => Response | Promise<Response>;

/** Waits for one turn of the runtime's timers (setTimeout 0): the event loop polls its I/O first. */
export const nextTimerTurn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Wraps `handle` so that a call made while other calls are still in flight waits `yieldTurn` first.
 * `yieldTurn` is injectable for tests; in flight means from the call until its Response is returned.
 */
export function withFairTurns<Args extends unknown[]>(
  handle: Handler<Args>,
  yieldTurn: () => Promise<void> = nextTimerTurn,
): (...args: Args) => Promise<Response> {
  let inFlight = 0;
  return async (...args: Args) => {
    const othersInFlight = inFlight;
    inFlight += 1;
    try {
      if (othersInFlight > 0) await yieldTurn();
      return await handle(...args);
    } finally {
      inFlight -= 1;
    }
  };
}
