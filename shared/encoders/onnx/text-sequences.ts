/**
 * Text → model sequences for one role: renders the prompt template around each text, resolves
 * special tokens, windows and echo (see sequences.ts), and packs the result into a few flat typed
 * arrays so worker threads can hand it back to the main thread by transfer instead of copying
 * thousands of small arrays. Runtime-neutral: used in tokenizer worker threads and inline.
 */

import type { Tokenizer } from '../../tokenizers/tokenizer.ts';
import type { EncodeRole } from '../encoder.ts';
import type { OwnedSequence } from './batching.ts';
import { DEFAULT_MAX_WINDOWS, type ModelConfig, splitTemplate } from './config.ts';
import { OnnxModelError } from './errors.ts';
import { buildSequences, type SequenceLayout } from './sequences.ts';

/** Sequences of several texts in flat arrays; `owner` indexes the texts of the request. */
export interface PackedSequences {
  readonly ids: Uint32Array;
  /** offsets[i]..offsets[i+1] are sequence i's ids. */
  readonly offsets: Uint32Array;
  readonly poolStart: Uint32Array;
  readonly poolEnd: Uint32Array;
  readonly owner: Uint32Array;
  /** Tokens of the texts themselves, before templates and windows (for tokens/s). */
  readonly textTokens: number;
}

/** A sequence layout plus what goes in front of each text before tokenizing it. */
export interface RoleLayout extends SequenceLayout {
  /**
   * The template prefix's trailing whitespace. It is tokenized with the text, not the prefix:
   * BPE vocabularies (Llama 3) glue a space to the following word ("Ġthe"), so "query: " + "the"
   * tokenized apart would give a lone space token and a different "the" than the whole string.
   */
  readonly textLead: string;
}

/** Builds the layout of one role once per encoder (templates and special tokens are fixed). */
export function roleLayout(config: ModelConfig, tokenizer: Tokenizer, role: EncodeRole): RoleLayout {
  const specialIds = (tokens: readonly string[]): Uint32Array =>
    Uint32Array.from(tokens, (token) => {
      const id = tokenizer.idOf(token);
      if (id === undefined)
        throw new OnnxModelError(
          'vocab_mismatch',
          `special token ${JSON.stringify(token)} is not in tokenizer ${tokenizer.name}`,
        );
      return id;
    });
  const { prefix: rawPrefix, suffix } = splitTemplate(config.templates[role]);
  const prefix = rawPrefix.trimEnd();
  return {
    textLead: rawPrefix.slice(prefix.length),
    begin: specialIds(config.specialTokens.begin),
    end: specialIds(config.specialTokens.end),
    prefix: prefix ? tokenizer.encode(prefix).ids : new Uint32Array(0),
    suffix: suffix ? tokenizer.encode(suffix).ids : new Uint32Array(0),
    maxLength: config.maxLength,
    echo: config.variant === 'echo',
    windowStride: config.windowStride,
    maxWindows: config.maxWindows ?? DEFAULT_MAX_WINDOWS,
  };
}

export function textsToPackedSequences(
  tokenizer: Tokenizer,
  layout: RoleLayout,
  texts: readonly string[],
  ownerBase = 0,
): PackedSequences {
  const all: OwnedSequence[] = [];
  let textTokens = 0;
  texts.forEach((text, i) => {
    const ids = tokenizer.encode(layout.textLead + text).ids;
    textTokens += ids.length;
    for (const s of buildSequences(ids, layout)) all.push({ ...s, owner: ownerBase + i });
  });
  return packSequences(all, textTokens);
}

export function packSequences(sequences: readonly OwnedSequence[], textTokens: number): PackedSequences {
  const offsets = new Uint32Array(sequences.length + 1);
  sequences.forEach((s, i) => {
    offsets[i + 1] = offsets[i] + s.ids.length;
  });
  const ids = new Uint32Array(offsets[sequences.length]);
  const poolStart = new Uint32Array(sequences.length);
  const poolEnd = new Uint32Array(sequences.length);
  const owner = new Uint32Array(sequences.length);
  sequences.forEach((s, i) => {
    ids.set(s.ids, offsets[i]);
    poolStart[i] = s.poolStart;
    poolEnd[i] = s.poolEnd;
    owner[i] = s.owner;
  });
  return { ids, offsets, poolStart, poolEnd, owner, textTokens };
}

export function unpackSequences(packed: PackedSequences): OwnedSequence[] {
  const out: OwnedSequence[] = [];
  for (let i = 0; i + 1 < packed.offsets.length; i++) {
    out.push({
      ids: packed.ids.subarray(packed.offsets[i], packed.offsets[i + 1]),
      poolStart: packed.poolStart[i],
      poolEnd: packed.poolEnd[i],
      owner: packed.owner[i],
    });
  }
  return out;
}
