/**
 * The bm25 document adapter loads only the tokenizer it is asked for: BERT's is built in the
 * constructor, others (Llama 3 unpacks ~0.5 s of data when imported) through the async `open`.
 */
import { describe, expect, it } from 'vitest';
import { Bm25DocumentEncoder } from '../../../batch/pipeline/document-encoder.ts';
import { PipelineConfigError } from '../../../batch/pipeline/errors.ts';
import { openDocumentEncoder } from '../../../batch/pipeline/open-document-encoder.ts';
import { loadTokenizer } from '../../../shared/tokenizers/load.ts';

describe('bm25 document encoder', () => {
  it('opens a Llama 3 bm25 adapter from a spec, counting Llama 3 token ids', async () => {
    const encoder = await openDocumentEncoder({ kind: 'bm25', tokenizer: 'llama3' });
    expect(encoder.vocabSize).toBe(128_256);
    const llama3 = await loadTokenizer('llama3');
    const { vectors, tokens } = await encoder.encodeDocuments(['hello hello world']);
    const ids = llama3.encode('hello hello world').ids;
    expect(tokens).toBe(ids.length);
    expect(Array.from(vectors[0].terms)).toEqual([...new Set(ids)].sort((a, b) => a - b));
    expect(encoder.spec).toMatchObject({ kind: 'bm25', tokenizer: 'llama3' });
  });

  it('builds BERT synchronously, and refuses another tokenizer it was not given', () => {
    expect(new Bm25DocumentEncoder().vocabSize).toBe(30_522);
    expect(() => new Bm25DocumentEncoder({ tokenizer: 'llama3' })).toThrow(PipelineConfigError);
    expect(() => new Bm25DocumentEncoder({ tokenizer: 'llama3' })).toThrow(/Bm25DocumentEncoder\.open/);
  });
});
