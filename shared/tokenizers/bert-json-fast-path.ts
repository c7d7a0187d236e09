/**
 * Recognises a Hugging Face tokenizer.json that is plain BERT WordPiece (BertNormalizer with
 * clean_text and CJK handling, BertPreTokenizer, WordPiece model with a dense vocabulary: what
 * SPLADE checkpoints built on BERT/DistilBERT ship) and builds our `BertWordPieceTokenizer` for it,
 * which is 5–9× faster than the generic engine and follows the Rust `tokenizers` library exactly
 * (the JS engine lowercases a word-final "Σ" to "ς" where Rust, which trained the model, gives "σ").
 * Anything else — another normalizer, a post-processor we do not understand, added tokens outside
 * the vocabulary — gets no fast path and stays with the engine.
 */
import { BertWordPieceTokenizer } from './bert-wordpiece.ts';

export interface BertFastPath {
  readonly tokenizer: BertWordPieceTokenizer;
  /** Added-token strings (e.g. "[MASK]"): a text containing one goes to the engine, which matches them whole. */
  readonly addedTokens: readonly string[];
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function bertFastPathOf(
  tokenizerJson: object,
  name: string,
  tokenizerConfig?: object,
): BertFastPath | undefined {
  const json = tokenizerJson as Json;
  const { normalizer, pre_tokenizer: preTokenizer, model } = json;
  if (!isObject(normalizer) || normalizer.type !== 'BertNormalizer') return undefined;
  if (normalizer.clean_text !== true || normalizer.handle_chinese_chars !== true) return undefined;
  if (typeof normalizer.lowercase !== 'boolean') return undefined;
  const stripAccents = normalizer.strip_accents;
  if (stripAccents !== null && stripAccents !== undefined && typeof stripAccents !== 'boolean')
    return undefined;
  if (!isObject(preTokenizer) || preTokenizer.type !== 'BertPreTokenizer') return undefined;
  if (!isObject(model) || model.type !== 'WordPiece' || !isObject(model.vocab)) return undefined;
  if (
    tokenizerConfig &&
    ('do_lowercase_and_remove_accent' in tokenizerConfig || 'remove_space' in tokenizerConfig)
  ) {
    return undefined;
  }

  const vocab = denseVocabulary(model.vocab);
  if (!vocab) return undefined;
  const unkToken = typeof model.unk_token === 'string' ? model.unk_token : '[UNK]';
  const prefix = typeof model.continuing_subword_prefix === 'string' ? model.continuing_subword_prefix : '##';
  const maxChars = typeof model.max_input_chars_per_word === 'number' ? model.max_input_chars_per_word : 100;
  if (!(unkToken in (model.vocab as Json))) return undefined;

  const addedTokens: string[] = [];
  for (const added of Array.isArray(json.added_tokens) ? json.added_tokens : []) {
    if (!isObject(added) || typeof added.content !== 'string' || vocab[added.id as number] !== added.content)
      return undefined;
    addedTokens.push(added.content);
  }
  const specialTokens = specialTokensOf(json.post_processor, vocab);
  if (specialTokens === 'unknown') return undefined;

  const tokenizer = new BertWordPieceTokenizer({
    name,
    vocab,
    lowercase: normalizer.lowercase,
    stripAccents: stripAccents ?? undefined,
    unkToken,
    continuingSubwordPrefix: prefix,
    maxInputCharsPerWord: maxChars,
    specialTokens,
  });
  return { tokenizer, addedTokens };
}

/** token → id object as an array by id, or undefined unless the ids are exactly 0 … n−1. */
function denseVocabulary(vocab: Json): string[] | undefined {
  const tokens: string[] = [];
  for (const [token, id] of Object.entries(vocab)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || tokens[id] !== undefined)
      return undefined;
    tokens[id] = token;
  }
  for (let id = 0; id < tokens.length; id++) if (tokens[id] === undefined) return undefined;
  return tokens;
}

/** [CLS] … [SEP] from BertProcessing or the equivalent TemplateProcessing; null when there is none. */
function specialTokensOf(
  postProcessor: unknown,
  vocab: readonly string[],
): { cls: string; sep: string } | null | 'unknown' {
  if (postProcessor === null || postProcessor === undefined) return null;
  if (!isObject(postProcessor)) return 'unknown';
  if (postProcessor.type === 'BertProcessing') {
    const [cls, clsId] = (postProcessor.cls ?? []) as [string, number];
    const [sep, sepId] = (postProcessor.sep ?? []) as [string, number];
    return vocab[clsId] === cls && vocab[sepId] === sep ? { cls, sep } : 'unknown';
  }
  if (postProcessor.type === 'TemplateProcessing' && Array.isArray(postProcessor.single)) {
    const [first, middle, last] = postProcessor.single as Json[];
    if (postProcessor.single.length !== 3 || !isObject(middle?.Sequence) || middle.Sequence.id !== 'A')
      return 'unknown';
    const cls = specialTemplateToken(first, postProcessor.special_tokens, vocab);
    const sep = specialTemplateToken(last, postProcessor.special_tokens, vocab);
    return cls && sep ? { cls, sep } : 'unknown';
  }
  return 'unknown';
}

function specialTemplateToken(
  piece: Json | undefined,
  specials: unknown,
  vocab: readonly string[],
): string | undefined {
  const name = isObject(piece?.SpecialToken) ? piece.SpecialToken.id : undefined;
  if (typeof name !== 'string' || !isObject(specials) || !isObject(specials[name])) return undefined;
  const ids = specials[name].ids;
  return Array.isArray(ids) && ids.length === 1 && vocab[ids[0]] === name ? name : undefined;
}
