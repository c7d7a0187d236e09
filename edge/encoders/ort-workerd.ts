/**
 * onnxruntime-web inside workerd. workerd refuses to compile WebAssembly from bytes at run time, so the
 * runtime's wasm is imported as a module (wrangler turns a `.wasm` import into a compiled
 * WebAssembly.Module) and ort's `WebAssembly.instantiate(bytes, imports)` is routed to that module;
 * a non-empty `wasmBinary` keeps ort from fetching the file, and one thread is all a Worker has.
 * Imported only by worker-onnx.ts: the wasm is ~14 MB (3.6 MB gzipped), beyond the free plan's limit.
 */

import wasmModule from 'onnxruntime-web/ort-wasm-simd-threaded.wasm';
import * as ort from 'onnxruntime-web/wasm';
import type { OrtRuntime } from './onnx-query-encoder.ts';

let installed = false;

export function ortInWorkerd(): OrtRuntime {
  if (!installed) {
    const instantiate = WebAssembly.instantiate.bind(WebAssembly);
    // ort hands over the placeholder bytes below; answer with the precompiled module instead.
    (WebAssembly as { instantiate: unknown }).instantiate = (
      source: unknown,
      imports?: WebAssembly.Imports,
    ) =>
      source instanceof WebAssembly.Module
        ? instantiate(source, imports)
        : instantiate(wasmModule, imports).then((instance) => ({ instance, module: wasmModule }));
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.wasmBinary = new Uint8Array([0]);
    installed = true;
  }
  return ort as unknown as OrtRuntime;
}
