import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeModel } from '../../../batch/model/onnx-proto.ts';
import { generateTinyModel } from '../../../batch/model/tiny-models.ts';
import { generateTinyTokenizerJson } from '../../../batch/model/tiny-tokenizer.ts';
import { HfTokenizer } from '../../../shared/tokenizers/hf-tokenizer.ts';
import { removeTempDirs, runSequences, tinyModelDir } from './fixtures.ts';

afterAll(removeTempDirs);

const seq = (ids: number[]) => ({ ids: Uint32Array.from(ids), poolStart: 0, poolEnd: ids.length });

/** Logits of one position of row 0. */
function row(logits: Float32Array, vocab: number, length: number, b: number, p: number): Float32Array {
  return logits.subarray((b * length + p) * vocab, (b * length + p + 1) * vocab);
}

describe('tiny generated models', () => {
  it('are byte-identical for the same seed and differ for another seed', () => {
    const a = encodeModel(generateTinyModel({ architecture: 'causal-lm', vocabSize: 1000 }));
    const b = encodeModel(generateTinyModel({ architecture: 'causal-lm', vocabSize: 1000 }));
    const c = encodeModel(generateTinyModel({ architecture: 'causal-lm', vocabSize: 1000, seed: 99 }));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false);
  });

  it('ships a tokenizer.json that the HF engine loads with the declared vocabulary', () => {
    const tokenizer = new HfTokenizer(generateTinyTokenizerJson({ vocabSize: 1000 }));
    expect(tokenizer.vocabSize).toBe(1000);
    const ids = tokenizer.encode('The river flows into the ocean').ids;
    expect(ids.length).toBeGreaterThan(4);
    expect([...ids]).not.toContain(tokenizer.idOf('[UNK]'));
  });

  it('causal masking is real: a later token never changes earlier logits, but changes later ones', async () => {
    const dir = await tinyModelDir({ architecture: 'causal-lm', variant: 'causal' });
    const base = [5, 100, 200, 300, 400, 500, 6];
    const changed = [...base];
    changed[4] = 777;
    const { logits, dims } = await runSequences(join(dir, 'model.onnx'), [seq(base), seq(changed)]);
    const [, length, vocab] = dims!;
    for (let p = 0; p < 4; p++)
      expect(row(logits!, vocab, length, 1, p)).toEqual(row(logits!, vocab, length, 0, p));
    for (let p = 4; p < base.length; p++)
      expect(row(logits!, vocab, length, 1, p)).not.toEqual(row(logits!, vocab, length, 0, p));
  });

  it('the bi export (same weights, no causal mask) lets a later token change earlier logits', async () => {
    const dir = await tinyModelDir({ architecture: 'causal-lm', variant: 'bi' });
    const base = [5, 100, 200, 300, 400, 500, 6];
    const changed = [...base];
    changed[4] = 777;
    const { logits, dims } = await runSequences(join(dir, 'model.onnx'), [seq(base), seq(changed)]);
    const [, length, vocab] = dims!;
    expect(row(logits!, vocab, length, 1, 0)).not.toEqual(row(logits!, vocab, length, 0, 0));
  });

  it('padding does not change the logits of real tokens (masked-lm, right padding)', async () => {
    const dir = await tinyModelDir({ architecture: 'masked-lm' });
    const short = [2, 100, 200, 3];
    const { logits: alone, dims: d1 } = await runSequences(join(dir, 'model.onnx'), [seq(short)]);
    const { logits: padded, dims: d2 } = await runSequences(join(dir, 'model.onnx'), [
      seq(short),
      seq([2, 1, 1, 1, 1, 1, 1, 3]),
    ]);
    for (let p = 0; p < short.length; p++) {
      const a = row(alone!, d1![2], d1![1], 0, p);
      const b = row(padded!, d2![2], d2![1], 0, p);
      for (let t = 0; t < a.length; t++) expect(b[t]).toBeCloseTo(a[t], 4);
    }
    expect(d2![2]).toBe(1000);
  });
});
