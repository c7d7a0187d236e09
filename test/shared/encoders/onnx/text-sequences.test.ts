import { describe, expect, it } from 'vitest';
import { defaultModelConfig } from '../../../../shared/encoders/onnx/config.ts';
import {
  roleLayout,
  textsToPackedSequences,
  unpackSequences,
} from '../../../../shared/encoders/onnx/text-sequences.ts';
import { createTokenizer } from '../../../../shared/tokenizers/registry.ts';

describe('text → sequences', () => {
  it('a template tokenizes like the whole rendered string under a BPE vocabulary (Llama 3)', () => {
    const tokenizer = createTokenizer('llama3');
    const config = defaultModelConfig('causal-lm', {
      tokenizer: 'llama3',
      templates: { query: 'query: {text}', document: 'passage: {text} .' },
    });
    for (const [role, rendered] of [
      ['query', 'query: the river flows'],
      ['document', 'passage: the river flows .'],
    ] as const) {
      const layout = roleLayout(config, tokenizer, role);
      const [sequence] = unpackSequences(textsToPackedSequences(tokenizer, layout, ['the river flows']));
      const whole = tokenizer.encode(rendered).ids;
      expect([...sequence.ids]).toEqual([
        tokenizer.idOf('<|begin_of_text|>'),
        ...whole,
        tokenizer.idOf('<|end_of_text|>'),
      ]);
    }
  });

  it('packs several texts with owners and counts text tokens', () => {
    const tokenizer = createTokenizer('bert-base-uncased');
    const config = defaultModelConfig('masked-lm', { tokenizer: 'bert-base-uncased', maxLength: 6 });
    const packed = textsToPackedSequences(
      tokenizer,
      roleLayout(config, tokenizer, 'document'),
      ['hello world', 'one two three four five six'],
      10,
    );
    const sequences = unpackSequences(packed);
    expect(sequences.map((s) => s.owner)).toEqual([10, 11, 11]);
    expect(packed.textTokens).toBe(2 + 6);
    expect([...sequences[0].ids]).toEqual([101, ...tokenizer.encode('hello world').ids, 102]);
  });
});
