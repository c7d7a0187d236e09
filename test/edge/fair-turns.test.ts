/**
 * withFairTurns (edge/http/fair-turns.ts): a request alone in the isolate goes straight to the handler;
 * one that arrives while others are in flight waits a turn first; the count of requests in flight comes
 * back down however a request ends (answer or error). The load behaviour it exists for is in
 * worker-fairness.miniflare.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { nextTimerTurn, withFairTurns } from '../../edge/http/fair-turns.ts';

/** A handler whose answers the test releases one by one, and a turn counter. */
function harness() {
  const events: string[] = [];
  const release = new Map<string, (r: Response) => void>();
  const fail = new Map<string, (e: Error) => void>();
  const handler = withFairTurns(
    (name: string) => {
      events.push(`handle ${name}`);
      return new Promise<Response>((resolve, reject) => {
        release.set(name, resolve);
        fail.set(name, reject);
      });
    },
    async () => {
      events.push('turn');
      await nextTimerTurn();
    },
  );
  return { events, release, fail, handler };
}

/** Lets pending promise callbacks and one timer turn run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('withFairTurns', () => {
  it('hands a lone request to the handler without waiting a turn', async () => {
    const { events, release, handler } = harness();
    const answer = handler('a');
    await settle();
    expect(events).toEqual(['handle a']);
    release.get('a')!(new Response('a'));
    expect(await (await answer).text()).toBe('a');
    // Alone again once it has answered.
    const next = handler('b');
    await settle();
    expect(events).toEqual(['handle a', 'handle b']);
    release.get('b')!(new Response('b'));
    await next;
  });

  it('makes a request that arrives while another is in flight wait a turn first', async () => {
    const { events, release, handler } = harness();
    const first = handler('a');
    const second = handler('b');
    const third = handler('c');
    // The turn is taken before the handler runs: b and c are not handled in the same tick they arrived.
    expect(events).toEqual(['handle a', 'turn', 'turn']);
    await settle();
    expect(events).toEqual(['handle a', 'turn', 'turn', 'handle b', 'handle c']);
    for (const name of ['a', 'b', 'c']) release.get(name)!(new Response(name));
    expect(await Promise.all([first, second, third].map(async (r) => (await r).text()))).toEqual([
      'a',
      'b',
      'c',
    ]);
  });

  it('counts a request that failed as finished', async () => {
    const { events, fail, release, handler } = harness();
    const failing = handler('a');
    await settle();
    fail.get('a')!(new Error('boom'));
    await expect(failing).rejects.toThrow('boom');
    const after = handler('b');
    await settle();
    expect(events).toEqual(['handle a', 'handle b']); // no turn: nothing was in flight any more
    release.get('b')!(new Response('b'));
    await after;
  });
});
