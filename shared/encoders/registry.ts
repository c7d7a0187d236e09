/**
 * One registry of encoders by name, so the CLI, the batch job, the edge and benchmarks never
 * switch over encoder names themselves. `createEncoder(config, context)` rebuilds an encoder from
 * the JSON config an index manifest records (plus asset bytes); other modules add their own
 * factories with `registerEncoder` (the ONNX engineer: "onnx" in Node; the edge: its
 * onnxruntime-web one). Built in: "bm25", "precomputed", "weight-table".
 *
 * @example
 *   const encoder = await createEncoder(manifest.encoder.config, {
 *     assets: await loadEncoderAssets(store, manifest.encoder.assets ?? {}),
 *     expectedFingerprint: manifest.encoder.fingerprint,
 *   });
 */
import type { ObjectStore } from '../store/object-store.ts';
import { createBm25Encoder } from './bm25/factory.ts';
import type { EncoderConfig, EncoderContext } from './config.ts';
import type { Encoder } from './encoder.ts';
import { EncoderError } from './errors.ts';
import { createPrecomputedEncoder } from './precomputed/factory.ts';
import { createWeightTableEncoder } from './weight-table/factory.ts';

export type EncoderFactory = (config: EncoderConfig, context: EncoderContext) => Encoder | Promise<Encoder>;

const factories = new Map<string, EncoderFactory>([
  ['bm25', createBm25Encoder],
  ['precomputed', createPrecomputedEncoder],
  ['weight-table', createWeightTableEncoder],
]);

/**
 * Adds (or, with `replace`, swaps) the factory for `name`. Registering a taken name without
 * `replace` is an error, so two modules cannot silently fight over one name.
 */
export function registerEncoder(
  name: string,
  factory: EncoderFactory,
  options: { replace?: boolean } = {},
): void {
  if (factories.has(name) && !options.replace) {
    throw new EncoderError('invalid_encoder_config', `an encoder named "${name}" is already registered`);
  }
  factories.set(name, factory);
}

export function registeredEncoders(): string[] {
  return [...factories.keys()].sort();
}

export async function createEncoder(config: EncoderConfig, context: EncoderContext = {}): Promise<Encoder> {
  if (typeof config !== 'object' || config === null || typeof config.name !== 'string') {
    throw new EncoderError('invalid_encoder_config', `an encoder config must be an object with a "name"`);
  }
  const factory = factories.get(config.name);
  if (!factory) {
    throw new EncoderError(
      'unknown_encoder',
      `unknown encoder "${config.name}"; registered: ${registeredEncoders().join(', ')}`,
    );
  }
  return checkFingerprint(await factory(config, context), context.expectedFingerprint);
}

/**
 * Returns `encoder` when it has the `expected` fingerprint (or none is expected); otherwise closes it and
 * throws `fingerprint_mismatch` — queries encoded by another model than the index's would be silently wrong.
 */
export async function checkFingerprint(encoder: Encoder, expected: string | undefined): Promise<Encoder> {
  if (expected !== undefined && encoder.fingerprint !== expected) {
    await encoder.close?.();
    throw new EncoderError(
      'fingerprint_mismatch',
      `encoder "${encoder.name}" has fingerprint ${encoder.fingerprint}, but the index was built with ${expected}`,
    );
  }
  return encoder;
}

/** Reads the asset objects a manifest names (asset name → object key) into the bytes `createEncoder` takes. */
export async function loadEncoderAssets(
  store: ObjectStore,
  assetKeys: Readonly<Record<string, string>>,
): Promise<Record<string, Uint8Array>> {
  const entries = await Promise.all(
    Object.entries(assetKeys).map(async ([name, key]) => {
      const object = await store.get(key);
      if (!object)
        throw new EncoderError(
          'missing_asset',
          `encoder asset "${name}" is missing from the store (key ${key})`,
        );
      return [name, object.bytes] as const;
    }),
  );
  return Object.fromEntries(entries);
}
