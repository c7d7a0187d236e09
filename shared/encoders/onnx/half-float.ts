/**
 * Decoding of half-precision tensors: ONNX Runtime hands float16 and bfloat16 outputs to
 * JavaScript as raw Uint16Array bits (Node 20 has no Float16Array), and JS-side pooling of an
 * fp16 export's logits needs numbers. Used by the unprepared-model path and the tests.
 */

const scratch = new DataView(new ArrayBuffer(4));

/** IEEE 754 binary16 bits → float32 values (subnormals, infinities and NaN included). */
export function float16ToFloat32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i];
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const fraction = h & 0x3ff;
    if (exponent === 0) out[i] = sign * fraction * 2 ** -24;
    else if (exponent === 31) out[i] = fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
    else out[i] = sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
  }
  return out;
}

/** bfloat16 bits are the top half of a float32. */
export function bfloat16ToFloat32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    scratch.setUint32(0, bits[i] << 16);
    out[i] = scratch.getFloat32(0);
  }
  return out;
}

/** float32 → binary16 bits, round to nearest even (for writing fp16 fixtures). */
export function float32ToFloat16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    scratch.setFloat32(0, values[i]);
    const x = scratch.getUint32(0);
    const sign = (x >>> 16) & 0x8000;
    const exponent = ((x >>> 23) & 0xff) - 127 + 15;
    let mantissa = x & 0x7fffff;
    if (exponent >= 31) out[i] = sign | (((x >>> 23) & 0xff) === 0xff && mantissa ? 0x7e00 : 0x7c00);
    else if (exponent <= 0) {
      if (exponent < -10) out[i] = sign;
      else {
        mantissa |= 0x800000;
        const shift = 14 - exponent;
        const half = 1 << (shift - 1);
        let rounded = mantissa >> shift;
        const rest = mantissa & ((1 << shift) - 1);
        if (rest > half || (rest === half && rounded & 1)) rounded++;
        out[i] = sign | rounded;
      }
    } else {
      let h = sign | (exponent << 10) | (mantissa >> 13);
      const rest = mantissa & 0x1fff;
      if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h++;
      out[i] = h;
    }
  }
  return out;
}
