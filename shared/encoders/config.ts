/**
 * What the registry needs to rebuild an encoder: a JSON-able `EncoderConfig` (recorded in the index
 * manifest) plus an `EncoderContext` holding the bytes of any assets the config names (BM25
 * statistics, a weight table, a tokenizer.json, a model), read by the caller from the index's
 * `assets/` folder. Tokenizers are referenced by name, inline JSON, or asset, so a config never
 * depends on a local path.
 */
import { ENGLISH_TERMS_ASSET, EnglishTokenizer } from '../tokenizers/english/tokenizer.ts';
import { HfTokenizer } from '../tokenizers/hf-tokenizer.ts';
import { loadTokenizer } from '../tokenizers/load.ts';
import type { BuiltinTokenizerName, TokenizerSpec } from '../tokenizers/spec.ts';
import { isBuiltinTokenizer } from '../tokenizers/spec.ts';
import type { Tokenizer } from '../tokenizers/tokenizer.ts';
import { EncoderError } from './errors.ts';

/** A plain JSON object; `name` selects the factory in the registry. */
export interface EncoderConfig {
  readonly name: string;
  readonly [parameter: string]: unknown;
}

export interface EncoderContext {
  /** Asset bytes by asset name (the keys a config's `...Asset` fields use). */
  readonly assets?: Readonly<Record<string, Uint8Array>>;
  /** When given, `createEncoder` refuses an encoder whose fingerprint differs (index/query mismatch). */
  readonly expectedFingerprint?: string;
}

/** What an encoder must record so `createEncoder(config, { assets })` rebuilds it exactly. */
export interface EncoderDescription {
  readonly config: EncoderConfig;
  readonly assets: Readonly<Record<string, Uint8Array>>;
}

/** How a config names its tokenizer. */
export type TokenizerRef =
  | BuiltinTokenizerName
  | { readonly tokenizerJson: object; readonly tokenizerConfig?: object }
  | { readonly tokenizerAsset: string; readonly tokenizerConfig?: object }
  /** The English analyzer over the version's own vocabulary (its terms, one a line, in the asset). */
  | { readonly analyzer: 'english'; readonly termsAsset: string };

/** Asset name under which encoders store a Hugging Face tokenizer.json. */
export const TOKENIZER_ASSET = 'tokenizer.json';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** The tokenizer a config names; implementations are imported on demand (see tokenizers/load.ts). */
export async function resolveTokenizer(
  ref: unknown,
  context: EncoderContext,
  encoderName: string,
): Promise<Tokenizer> {
  if (ref === undefined) {
    throw new EncoderError('invalid_encoder_config', `${encoderName} encoder config needs a "tokenizer"`);
  }
  if (typeof ref === 'object' && ref !== null && 'analyzer' in ref) {
    const { analyzer, termsAsset } = ref as { analyzer: unknown; termsAsset: unknown };
    if (analyzer !== 'english' || typeof termsAsset !== 'string') {
      throw new EncoderError(
        'invalid_encoder_config',
        `${encoderName} encoder: unknown analyzer ${JSON.stringify(ref)} (expected { analyzer: "english", termsAsset })`,
      );
    }
    const bytes = requireAsset(context, termsAsset, encoderName);
    try {
      return EnglishTokenizer.fromAsset(bytes);
    } catch (cause) {
      throw new EncoderError(
        'invalid_encoder_config',
        `asset "${termsAsset}" is not a term list: ${(cause as Error).message}`,
        {
          cause,
        },
      );
    }
  }
  if (typeof ref === 'object' && ref !== null && 'tokenizerAsset' in ref) {
    const assetName = String((ref as { tokenizerAsset: unknown }).tokenizerAsset);
    const bytes = requireAsset(context, assetName, encoderName);
    let tokenizerJson: object;
    try {
      tokenizerJson = JSON.parse(utf8.decode(bytes)) as object;
    } catch (cause) {
      throw new EncoderError('invalid_encoder_config', `asset "${assetName}" is not a JSON tokenizer`, {
        cause,
      });
    }
    const tokenizerConfig = (ref as { tokenizerConfig?: object }).tokenizerConfig;
    return loadTokenizer({ tokenizerJson, tokenizerConfig });
  }
  return loadTokenizer(ref as TokenizerSpec);
}

export function requireAsset(context: EncoderContext, assetName: string, encoderName: string): Uint8Array {
  const bytes = context.assets?.[assetName];
  if (!bytes) {
    const available = Object.keys(context.assets ?? {});
    throw new EncoderError(
      'missing_asset',
      `${encoderName} encoder needs asset "${assetName}"; given: ${available.length ? available.join(', ') : 'none'}`,
    );
  }
  return bytes;
}

/** A finite number parameter, or its default; anything else is a config error naming the field. */
export function numberParameter(
  config: EncoderConfig,
  field: string,
  fallback: number,
  isValid: (value: number) => boolean,
  expectation: string,
): number {
  const value = config[field] ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || !isValid(value)) {
    throw new EncoderError(
      'invalid_encoder_config',
      `${config.name} encoder: "${field}" must be ${expectation}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** How to record `tokenizer` in a config: its built-in name, or its tokenizer.json as an asset. */
export function describeTokenizer(tokenizer: Tokenizer): {
  ref: TokenizerRef;
  assets: Record<string, Uint8Array>;
} {
  if (isBuiltinTokenizer(tokenizer.name)) {
    return { ref: tokenizer.name as BuiltinTokenizerName, assets: {} };
  }
  if (tokenizer instanceof EnglishTokenizer) {
    return {
      ref: { analyzer: 'english', termsAsset: ENGLISH_TERMS_ASSET },
      assets: { [ENGLISH_TERMS_ASSET]: tokenizer.vocabulary.toBytes() },
    };
  }
  if (tokenizer instanceof HfTokenizer) {
    const ref: TokenizerRef = tokenizer.tokenizerConfig
      ? { tokenizerAsset: TOKENIZER_ASSET, tokenizerConfig: tokenizer.tokenizerConfig }
      : { tokenizerAsset: TOKENIZER_ASSET };
    return {
      ref,
      assets: { [TOKENIZER_ASSET]: new TextEncoder().encode(JSON.stringify(tokenizer.tokenizerJson)) },
    };
  }
  throw new EncoderError(
    'invalid_encoder_config',
    `tokenizer ${tokenizer.name} is neither built in nor a Hugging Face tokenizer.json: it cannot be recorded in a config`,
  );
}
