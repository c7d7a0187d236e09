/**
 * Turns one tokenized text into the model sequences to run: the prompt template around the text,
 * the special tokens around that, long texts split into windows (their vectors are max-pooled
 * later), and the CSPLADE echo layout `[begin, T(x), T(x), end]` where only the second copy
 * `T(x)` is pooled — in a causal model the second copy is the only place where every token has
 * seen the whole input. Each sequence carries the half-open range of positions to pool.
 */
import { OnnxModelError } from './errors.ts';

/** Token ids of the fixed parts around each window. */
export interface SequenceLayout {
  readonly begin: Uint32Array;
  readonly prefix: Uint32Array;
  readonly suffix: Uint32Array;
  readonly end: Uint32Array;
  readonly maxLength: number;
  readonly echo: boolean;
  /** Tokens between window starts; default: the window size (no overlap). */
  readonly windowStride?: number;
  readonly maxWindows: number;
}

export interface ModelSequence {
  readonly ids: Uint32Array;
  /** Pool positions [poolStart, poolEnd). */
  readonly poolStart: number;
  readonly poolEnd: number;
}

/** How many text tokens fit one window under this layout. */
export function windowCapacity(layout: SequenceLayout): number {
  const fixed = layout.begin.length + layout.end.length;
  const copy = layout.prefix.length + layout.suffix.length;
  const capacity = layout.echo
    ? Math.floor((layout.maxLength - fixed) / 2) - copy
    : layout.maxLength - fixed - copy;
  if (capacity < 1) {
    throw new OnnxModelError(
      'template_too_long',
      `maxLength ${layout.maxLength} leaves no room for text: special tokens take ${fixed}, the template ${copy}${layout.echo ? ' (twice: echo)' : ''}`,
    );
  }
  return capacity;
}

/** The sequences for one text (at least one, even for empty text). */
export function buildSequences(textIds: Uint32Array, layout: SequenceLayout): ModelSequence[] {
  const capacity = windowCapacity(layout);
  const stride = Math.min(layout.windowStride ?? capacity, capacity);
  const sequences: ModelSequence[] = [];
  for (let start = 0; sequences.length < layout.maxWindows; start += stride) {
    const window = textIds.subarray(start, Math.min(start + capacity, textIds.length));
    sequences.push(assemble(window, layout));
    if (start + capacity >= textIds.length) break;
  }
  return sequences;
}

function assemble(window: Uint32Array, layout: SequenceLayout): ModelSequence {
  const copyLength = layout.prefix.length + window.length + layout.suffix.length;
  const copies = layout.echo ? 2 : 1;
  const ids = new Uint32Array(layout.begin.length + copies * copyLength + layout.end.length);
  let at = 0;
  const put = (part: Uint32Array): void => {
    ids.set(part, at);
    at += part.length;
  };
  put(layout.begin);
  for (let c = 0; c < copies; c++) {
    put(layout.prefix);
    put(window);
    put(layout.suffix);
  }
  put(layout.end);
  if (!layout.echo) return { ids, poolStart: 0, poolEnd: ids.length };
  const poolStart = layout.begin.length + copyLength;
  return { ids, poolStart, poolEnd: poolStart + copyLength };
}
