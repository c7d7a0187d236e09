// wrangler bundles a `.wasm` import as a compiled WebAssembly.Module (workerd cannot compile bytes at run time).
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
