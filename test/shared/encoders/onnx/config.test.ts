import { describe, expect, it } from 'vitest';
import {
  defaultModelConfig,
  parseModelConfig,
  splitTemplate,
} from '../../../../shared/encoders/onnx/config.ts';
import {
  bfloat16ToFloat32,
  float16ToFloat32,
  float32ToFloat16,
} from '../../../../shared/encoders/onnx/half-float.ts';

describe('model config', () => {
  it('accepts the defaults of both architectures', () => {
    expect(parseModelConfig(defaultModelConfig('masked-lm')).specialTokens.begin).toEqual(['[CLS]']);
    expect(parseModelConfig(defaultModelConfig('causal-lm')).variant).toBe('causal');
  });

  it('reports every problem with the file name', () => {
    const bad = {
      ...defaultModelConfig('causal-lm'),
      variant: 'bidirectional',
      model: 'model.bin',
      topK: { query: 0, document: 5 },
    };
    expect(() => parseModelConfig(bad, 'x/csplade-model.json')).toThrow(
      /^x\/csplade-model\.json: "variant" must be "causal", "echo" or "bi" for a causal-lm \(got "bidirectional"\); "model" must name a \.onnx file \(got "model\.bin"\); "topK" must be/,
    );
  });

  it('rejects a top-k above the prepared head and variants on masked-lm', () => {
    const over = { ...defaultModelConfig('masked-lm'), prepared: { k: 100, pooling: 'pooling_mask' } };
    expect(() => parseModelConfig(over)).toThrow(/cannot exceed the prepared head's k \(100\)/);
    expect(() => parseModelConfig({ ...defaultModelConfig('masked-lm'), variant: 'echo' })).toThrow(
      /"variant" applies to causal-lm models only/,
    );
  });

  it('splits templates around {text}', () => {
    expect(splitTemplate('query: {text} !')).toEqual({ prefix: 'query: ', suffix: ' !' });
  });
});

describe('half floats', () => {
  it('float16 round-trips representable values, handles subnormals and infinities', () => {
    const values = Float32Array.from([0, 1, -2.5, 65504, 6.103515625e-5, 2 ** -24, Number.POSITIVE_INFINITY]);
    expect([...float16ToFloat32(float32ToFloat16(values))]).toEqual([...values]);
    expect(float32ToFloat16(Float32Array.from([1.0007]))[0]).toBe(0x3c01); // rounds to nearest
    expect(float32ToFloat16(Float32Array.from([1 + 2 ** -11]))[0]).toBe(0x3c00); // a tie rounds to even
  });

  it('bfloat16 is the top half of a float32', () => {
    expect([...bfloat16ToFloat32(Uint16Array.from([0x3f80, 0xc020]))]).toEqual([1, -2.5]);
  });
});
