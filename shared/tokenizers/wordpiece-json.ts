/**
 * A Hugging Face `tokenizer.json` for a BERT-style WordPiece vocabulary (the structure `transformers` writes
 * for bert-base-uncased: BertNormalizer, BertPreTokenizer, [CLS] … [SEP] template, WordPiece model). Used to
 * hand a vocabulary to the `@huggingface/tokenizers` engine and to write the tiny test models' tokenizers.
 * Token ids are positions in `vocab` (the first occurrence wins).
 */
export const BERT_SPECIAL_TOKENS: readonly string[] = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

export function wordPieceTokenizerJson(
  vocab: readonly string[],
  specialTokens: readonly string[] = BERT_SPECIAL_TOKENS,
): Record<string, unknown> {
  const special = specialTokens.filter((token) => vocab.includes(token));
  const vocabObject: Record<string, number> = {};
  vocab.forEach((token, id) => {
    if (!(token in vocabObject)) vocabObject[token] = id;
  });
  const idOf = (token: string) => vocabObject[token];
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: special.map((content) => ({
      id: idOf(content),
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [idOf('[CLS]')], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [idOf('[SEP]')], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: vocabObject,
    },
  };
}
