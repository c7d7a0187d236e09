/**
 * One registry of encoders by name, so the CLI, the batch job, the edge and benchmarks never
 * switch over encoder names themselves. `createEncoder(config, context)` rebuilds an encoder from
 * the JSON config an index manifest records (plus asset bytes), with the factory its declaration
 * (declarations.ts) loads, or one a runtime registered with `registerEncoder` (the "onnx" encoder: the
 * batch job's onnxruntime-node one in Node, onnxruntime-web in the ONNX Worker).
 *
 * @example
 *   const encoder = await createEncoder(manifest.encoder.config, {
 *     assets: await loadEncoderAssets(store, manifest.encoder.assets ?? {}),
 *     expectedFingerprint: manifest.encoder.fingerprint,
 *   });
 */
import type { ObjectStore } from '../store/object-store.ts';
import type { EncoderConfig, EncoderContext } from './config.ts';
import { declarationOf, type EncoderFactory, encoderDeclarations } from './declarations.ts';
import type { Encoder } from './encoder.ts';
import { EncoderError } from './errors.ts';

export type { EncoderFactory } from './declarations.ts';

/** Factories registered by a runtime; they take precedence over the declared ones. */
const registered = new Map<string, EncoderFactory>();

/**
 * Adds (or, with `replace`, swaps) the factory for `name`. Registering a taken name without
 * `replace` is an error, so two modules cannot silently fight over one name.
 */
export function registerEncoder(
  name: string,
  factory: EncoderFactory,
  options: { replace?: boolean } = {},
): void {
  if ((registered.has(name) || declarationOf(name)?.factory) && !options.replace) {
    throw new EncoderError('invalid_encoder_config', `an encoder named "${name}" is already registered`);
  }
  registered.set(name, factory);
}

/** Names `createEncoder` can build here: the declared ones with a factory and those registered. */
export function registeredEncoders(): string[] {
  const declared = encoderDeclarations().flatMap((d) => (d.factory ? [d.name] : []));
  return [...new Set([...declared, ...registered.keys()])].sort();
}

export async function createEncoder(config: EncoderConfig, context: EncoderContext = {}): Promise<Encoder> {
  if (typeof config !== 'object' || config === null || typeof config.name !== 'string') {
    throw new EncoderError('invalid_encoder_config', `an encoder config must be an object with a "name"`);
  }
  const factory = registered.get(config.name) ?? (await declarationOf(config.name)?.factory?.());
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
