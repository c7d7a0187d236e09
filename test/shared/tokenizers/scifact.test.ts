/**
 * Acceptance check on a real corpus: BEIR SciFact (title + " " + text, lowercased, no special
 * tokens) holds 1,737,313 bert-base-uncased tokens in Anserini's flat-wp index. The data set lives
 * outside the repository (licence), in ../shared/datasets/scifact; without it these tests skip
 * and say why.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bertBaseUncasedVocab } from '../../../shared/tokenizers/bert-vocab.ts';
import { bertBaseUncasedTokenizer } from '../../../shared/tokenizers/bert-wordpiece.ts';
import { HfTokenizer } from '../../../shared/tokenizers/hf-tokenizer.ts';
import { bertTokenizerJson } from './bert-tokenizer-json.ts';

const CORPUS = resolve(import.meta.dirname, '../../../../shared/datasets/scifact/corpus.jsonl.gz');
const present = existsSync(CORPUS);
if (!present)
  console.warn(`SciFact tokenizer tests skipped: ${CORPUS} is absent (see /work/shared/datasets).`);

function scifactTexts(): string[] {
  const lines = gunzipSync(readFileSync(CORPUS)).toString('utf8').split('\n');
  return lines
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const doc = JSON.parse(line) as { title: string; text: string };
      return `${doc.title} ${doc.text}`.toLowerCase();
    });
}

describe.skipIf(!present)(`SciFact corpus (${present ? 'present' : `absent: ${CORPUS}`})`, () => {
  const texts = present ? scifactTexts() : [];

  it('has the 5,183 documents of BEIR SciFact', () => {
    expect(texts.length).toBe(5183);
  });

  it("tokenizes to exactly Anserini's 1,737,313 flat-wp tokens", () => {
    const bert = bertBaseUncasedTokenizer();
    let total = 0;
    for (const text of texts) total += bert.encode(text).ids.length;
    expect(total).toBe(1_737_313);
  });

  it('gives the same ids as the Hugging Face engine on every 10th document', () => {
    const bert = bertBaseUncasedTokenizer();
    const engine = new HfTokenizer(bertTokenizerJson(bertBaseUncasedVocab()), { fastPath: false });
    const mismatches: number[] = [];
    for (let i = 0; i < texts.length; i += 10) {
      const ours = bert.encode(texts[i]).ids;
      const theirs = engine.encode(texts[i]).ids;
      if (ours.length !== theirs.length || ours.some((id, k) => id !== theirs[k])) mismatches.push(i);
    }
    expect(mismatches).toEqual([]);
  });
});
