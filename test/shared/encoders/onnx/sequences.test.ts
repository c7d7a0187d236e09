import { describe, expect, it } from 'vitest';
import { OnnxModelError } from '../../../../shared/encoders/onnx/errors.ts';
import {
  buildSequences,
  type SequenceLayout,
  windowCapacity,
} from '../../../../shared/encoders/onnx/sequences.ts';

const ids = (...values: number[]) => Uint32Array.from(values);
const layout = (overrides: Partial<SequenceLayout> = {}): SequenceLayout => ({
  begin: ids(1),
  prefix: ids(50, 51),
  suffix: ids(),
  end: ids(2),
  maxLength: 10,
  echo: false,
  maxWindows: 16,
  ...overrides,
});
const range = (n: number) => Uint32Array.from({ length: n }, (_, i) => 100 + i);

describe('buildSequences', () => {
  it('wraps a short text in begin + template + text + end and pools the whole sequence', () => {
    const [s, ...rest] = buildSequences(ids(100, 101), layout());
    expect(rest).toEqual([]);
    expect([...s.ids]).toEqual([1, 50, 51, 100, 101, 2]);
    expect([s.poolStart, s.poolEnd]).toEqual([0, 6]);
  });

  it('splits long text into windows that cover every token once, each within maxLength', () => {
    const text = range(13);
    const sequences = buildSequences(text, layout());
    expect(windowCapacity(layout())).toBe(6);
    expect(sequences.length).toBe(3);
    const covered = sequences.flatMap((s) => [...s.ids.subarray(3, s.ids.length - 1)]);
    expect(covered).toEqual([...text]);
    for (const s of sequences) expect(s.ids.length).toBeLessThanOrEqual(10);
  });

  it('overlaps windows with a smaller stride and stops at maxWindows', () => {
    const overlapping = buildSequences(range(10), layout({ windowStride: 3 }));
    expect(overlapping.map((s) => s.ids[3])).toEqual([100, 103, 106]);
    expect(buildSequences(range(100), layout({ maxWindows: 2 })).length).toBe(2);
  });

  it('echo repeats template + window twice and pools only the second copy', () => {
    const l = layout({ echo: true, maxLength: 16 });
    expect(windowCapacity(l)).toBe(5); // (16 - 2) / 2 - 2
    const [s] = buildSequences(ids(100, 101, 102), l);
    expect([...s.ids]).toEqual([1, 50, 51, 100, 101, 102, 50, 51, 100, 101, 102, 2]);
    expect([s.poolStart, s.poolEnd]).toEqual([6, 11]);
  });

  it('empty text still yields one sequence', () => {
    const sequences = buildSequences(ids(), layout());
    expect(sequences.length).toBe(1);
    expect([...sequences[0].ids]).toEqual([1, 50, 51, 2]);
  });

  it('fails with a clear message when the template leaves no room', () => {
    expect(() => windowCapacity(layout({ maxLength: 4 }))).toThrow(OnnxModelError);
    expect(() => windowCapacity(layout({ maxLength: 4 }))).toThrow(
      /maxLength 4 leaves no room for text: special tokens take 2, the template 2/,
    );
  });
});
