/**
 * The lifecycle fields of CURRENT: a pointer from an older csplade decodes with an empty history that starts
 * at its last move, moves record what they replace, the history stays bounded without ever claiming to be
 * complete for a window it no longer covers, tombstones survive moves, and bad lifecycle fields are refused.
 */
import { describe, expect, it } from 'vitest';
import {
  decodeLifecyclePointer,
  encodeLifecyclePointer,
  firstPointer,
  HISTORY_HORIZON_MS,
  isTombstoned,
  MAX_HISTORY,
  movedPointer,
  namedWithin,
  sameMove,
  withoutTombstones,
  withTombstones,
} from '../../../batch/publish/current-pointer.ts';
import { decodeCurrentPointer, ManifestFormatError } from '../../../shared/index/manifest-codec.ts';

const utf8 = new TextEncoder();
const T0 = Date.parse('2026-06-01T00:00:00Z');
const MIN = 60_000;

describe('the CURRENT pointer with its lifecycle', () => {
  it('reads a pointer written without lifecycle fields as one whose history before its move is unknown', () => {
    const legacy = utf8.encode(
      '{"version":"v2","manifestKey":"k2","updatedAt":"2026-06-01T00:00:00.000Z"}\n',
    );
    const pointer = decodeLifecyclePointer(legacy);
    expect(pointer).toMatchObject({ version: 'v2', generation: 0, history: [], tombstones: [] });
    expect(pointer.historySince).toBe('2026-06-01T00:00:00.000Z');
    // Within an hour of that move, v1 may have been named: the history does not cover the window.
    expect(namedWithin(pointer, 60 * MIN, T0 + 30 * MIN).complete).toBe(false);
    expect(namedWithin(pointer, 60 * MIN, T0 + 90 * MIN).complete).toBe(true);
  });

  it('records each move in the history, round-trips as JSON that readers still decode', () => {
    let pointer = firstPointer('v1', 'k1', T0);
    pointer = movedPointer(pointer, 'v2', 'k2', T0 + MIN);
    pointer = movedPointer(pointer, 'v1', 'k1', T0 + 2 * MIN);
    expect(pointer.generation).toBe(3);
    expect(pointer.history).toEqual([
      { version: 'v2', until: new Date(T0 + 2 * MIN).toISOString() },
      { version: 'v1', until: new Date(T0 + MIN).toISOString() },
    ]);
    const bytes = encodeLifecyclePointer(pointer);
    expect(decodeLifecyclePointer(bytes)).toEqual(pointer);
    expect(decodeCurrentPointer(bytes)).toMatchObject({ version: 'v1', manifestKey: 'k1' });
    const named = namedWithin(pointer, 90 * 1000, T0 + 2 * MIN + 10_000);
    expect([...named.versions].sort()).toEqual(['v1', 'v2']);
    expect(named.complete).toBe(true); // the first pointer's history is complete from the beginning
  });

  it('bounds the history by count and age and moves historySince past what it drops', () => {
    let pointer = firstPointer('v0', 'k', T0);
    for (let i = 1; i <= MAX_HISTORY + 5; i++) pointer = movedPointer(pointer, `v${i}`, 'k', T0 + i * MIN);
    expect(pointer.history).toHaveLength(MAX_HISTORY);
    const oldestKept = Date.parse(pointer.history.at(-1)!.until);
    expect(Date.parse(pointer.historySince)).toBe(oldestKept - MIN); // the newest dropped entry's until
    // A grace window reaching before historySince is reported incomplete.
    const now = T0 + (MAX_HISTORY + 6) * MIN;
    expect(namedWithin(pointer, now - oldestKept + 2 * MIN, now).complete).toBe(false);
    expect(namedWithin(pointer, 10 * MIN, now).complete).toBe(true);
    const later = movedPointer(pointer, 'vX', 'k', now + HISTORY_HORIZON_MS + MIN);
    expect(later.history).toHaveLength(1); // only the move just made is inside the horizon
  });

  it('carries tombstones across moves; bookkeeping keeps the move fields', () => {
    const pointer = movedPointer(firstPointer('v1', 'k1', T0), 'v2', 'k2', T0 + MIN);
    const marked = withTombstones(pointer, ['v0', 'v1'], T0 + 2 * MIN);
    expect(isTombstoned(marked, 'v1')).toBe(true);
    expect(sameMove(pointer, marked)).toBe(true);
    const moved = movedPointer(marked, 'v3', 'k3', T0 + 3 * MIN);
    expect(isTombstoned(moved, 'v0')).toBe(true);
    expect(sameMove(marked, moved)).toBe(false);
    expect(isTombstoned(withoutTombstones(moved, ['v0']), 'v0')).toBe(false);
  });

  it('tells a move back to the same version apart from no move at all', () => {
    const a = firstPointer('v1', 'k1', T0);
    const b = movedPointer(movedPointer(a, 'v2', 'k2', T0), 'v1', 'k1', T0);
    expect(b.version).toBe(a.version);
    expect(b.updatedAt).toBe(a.updatedAt);
    expect(sameMove(a, b)).toBe(false);
    expect(encodeLifecyclePointer(a)).not.toEqual(encodeLifecyclePointer(b)); // so the etags differ too
  });

  it('refuses garbage and malformed lifecycle fields with a message naming the field', () => {
    const bad = (text: string) => () => decodeLifecyclePointer(utf8.encode(text));
    expect(bad('\u0000\u0001garbage')).toThrow(ManifestFormatError);
    expect(bad('{"version":"v","manifestKey":"k","updatedAt":"yesterday"}')).toThrow(/updatedAt/);
    const base = '"version":"v","manifestKey":"k","updatedAt":"2026-06-01T00:00:00Z"';
    expect(
      bad(`{${base},"generation":-1,"history":[],"historySince":"2026-01-01T00:00:00Z","tombstones":[]}`),
    ).toThrow(/generation/);
    expect(
      bad(
        `{${base},"generation":1,"history":[{"version":3}],"historySince":"2026-01-01T00:00:00Z","tombstones":[]}`,
      ),
    ).toThrow(/history/);
    expect(
      bad(`{${base},"generation":1,"history":[],"historySince":"2026-01-01T00:00:00Z","tombstones":{}}`),
    ).toThrow(/tombstones/);
  });
});
