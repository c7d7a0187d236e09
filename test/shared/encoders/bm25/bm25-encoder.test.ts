import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Bm25Encoder } from '../../../../shared/encoders/bm25/bm25-encoder.ts';
import { luceneLength } from '../../../../shared/encoders/bm25/lucene-norms.ts';
import { Bm25StatsBuilder, bm25StatsHash } from '../../../../shared/encoders/bm25/stats.ts';
import { EncoderError } from '../../../../shared/encoders/errors.ts';
import type { SparseVector } from '../../../../shared/sparse/types.ts';
import { createTokenizer } from '../../../../shared/tokenizers/registry.ts';

const bert = createTokenizer('bert-base-uncased');
const id = (token: string) => bert.idOf(token)!;
const corpus = ['cat sat', 'cat cat dog', 'bird'];
const stats = corpus.reduce((builder, text) => builder.add(text), new Bm25StatsBuilder(bert)).build();

function weightOf(vector: SparseVector, term: number): number {
  const at = vector.terms.indexOf(term);
  return at < 0 ? 0 : vector.weights[at];
}

function dot(a: SparseVector, b: SparseVector): number {
  let sum = 0;
  for (let i = 0, j = 0; i < a.terms.length && j < b.terms.length; ) {
    if (a.terms[i] === b.terms[j]) sum += a.weights[i++] * b.weights[j++];
    else if (a.terms[i] < b.terms[j]) i++;
    else j++;
  }
  return sum;
}

describe('BM25 document vectors', () => {
  const encoder = new Bm25Encoder({ tokenizer: bert, stats });

  it('match hand-computed weights (N = 3, avgdl = 2, k1 = 0.9, b = 0.4)', async () => {
    const [doc] = await encoder.encode(['cat cat dog'], 'document');
    // idf(cat) = ln(1 + (3 − 2 + 0.5)/(2 + 0.5)) = ln 1.6; norm = 0.9 · (0.6 + 0.4 · 3/2) = 1.08
    expect(weightOf(doc, id('cat'))).toBeCloseTo((Math.log(1.6) * 2) / 3.08, 6);
    // idf(dog) = ln(1 + 2.5/1.5) = ln(8/3)
    expect(weightOf(doc, id('dog'))).toBeCloseTo(Math.log(8 / 3) / 2.08, 6);
    expect(Array.from(doc.terms)).toEqual([id('cat'), id('dog')].sort((a, b) => a - b));
  });

  it('score an unseen term with df = 0 and give an empty vector for an empty document', async () => {
    const [doc, empty] = await encoder.encode(['zebra', ''], 'document');
    // dl = 1: norm = 0.9 · (0.6 + 0.4/2) = 0.72; idf = ln(1 + 3.5/0.5) = ln 8
    expect(weightOf(doc, id('zebra'))).toBeCloseTo(Math.log(8) / 1.72, 6);
    expect(empty.terms.length).toBe(0);
  });

  it('use k1 and b as given', async () => {
    const plain = new Bm25Encoder({ tokenizer: bert, stats, k1: 1.2, b: 0.75 });
    const [doc] = await plain.encode(['cat cat dog'], 'document');
    // norm = 1.2 · (0.25 + 0.75 · 1.5) = 1.65
    expect(weightOf(doc, id('cat'))).toBeCloseTo((Math.log(1.6) * 2) / 3.65, 6);
  });

  it('score with the Lucene-rounded length when luceneNorms is on', async () => {
    const longDoc = `cat ${'dog '.repeat(299)}`.trim(); // 300 tokens → Lucene scores it as 280
    const bigStats = new Bm25StatsBuilder(bert).add(longDoc).add('cat').build();
    const avgdl = 301 / 2;
    const idfCat = Math.log(1 + 0.5 / 2.5);
    const exact = new Bm25Encoder({ tokenizer: bert, stats: bigStats });
    const lucene = new Bm25Encoder({ tokenizer: bert, stats: bigStats, luceneNorms: true });
    const norm = (length: number) => 0.9 * (0.6 + (0.4 * length) / avgdl);
    expect(luceneLength(300)).toBe(280);
    expect(weightOf((await exact.encode([longDoc], 'document'))[0], id('cat'))).toBeCloseTo(
      idfCat / (1 + norm(300)),
      6,
    );
    expect(weightOf((await lucene.encode([longDoc], 'document'))[0], id('cat'))).toBeCloseTo(
      idfCat / (1 + norm(280)),
      6,
    );
    expect(lucene.fingerprint).not.toBe(exact.fingerprint);
  });
});

describe('BM25 query vectors', () => {
  const encoder = new Bm25Encoder({ tokenizer: bert, stats });

  it('are term counts', async () => {
    const [query] = await encoder.encode(['cat dog cat'], 'query');
    expect(weightOf(query, id('cat'))).toBe(2);
    expect(weightOf(query, id('dog'))).toBe(1);
    expect(query.terms.length).toBe(2);
  });

  it('dotted with document vectors give the BM25 score computed independently', async () => {
    const words = ['cat', 'dog', 'bird', 'sat', 'mat', 'the', 'a', 'fish', 'tree', 'run'];
    const text = fc.array(fc.constantFrom(...words), { minLength: 0, maxLength: 25 }).map((w) => w.join(' '));
    await fc.assert(
      fc.asyncProperty(
        fc.array(text, { minLength: 1, maxLength: 12 }),
        text,
        fc.double({ min: 0, max: 3, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        async (docs, queryText, k1, b, luceneNorms) => {
          const builder = new Bm25StatsBuilder(bert);
          for (const doc of docs) builder.add(doc);
          const corpusStats = builder.build();
          if (corpusStats.totalTokens === 0) return;
          const encoder = new Bm25Encoder({ tokenizer: bert, stats: corpusStats, k1, b, luceneNorms });
          const [query] = await encoder.encode([queryText], 'query');
          const docVectors = await encoder.encode(docs, 'document');
          // Independent BM25: straight from the words (each is one WordPiece token here).
          const tokenized = docs.map((doc) => doc.split(' ').filter((w) => w !== ''));
          const avgdl = tokenized.reduce((sum, d) => sum + d.length, 0) / docs.length;
          docs.forEach((_, d) => {
            const dl = luceneNorms ? luceneLength(tokenized[d].length) : tokenized[d].length;
            let expected = 0;
            for (const term of queryText.split(' ').filter((w) => w !== '')) {
              const tf = tokenized[d].filter((w) => w === term).length;
              if (tf === 0) continue;
              const df = tokenized.filter((other) => other.includes(term)).length;
              const idf = Math.log(1 + (docs.length - df + 0.5) / (df + 0.5));
              expected += (idf * tf) / (tf + k1 * (1 - b + (b * dl) / avgdl));
            }
            expect(dot(query, docVectors[d])).toBeCloseTo(expected, 4);
          });
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('BM25 encoder identity', () => {
  it('has a fingerprint that changes with k1, b, norms, tokenizer and statistics, and only then', () => {
    const base = new Bm25Encoder({ tokenizer: bert, stats });
    const otherStats = new Bm25StatsBuilder(bert).add('cat sat').add('cat dog').add('bird').build();
    const llama = createTokenizer('llama3');
    const llamaStats = new Bm25StatsBuilder(llama).add('cat sat').build();
    const variants = [
      new Bm25Encoder({ tokenizer: bert, stats, k1: 1.2 }),
      new Bm25Encoder({ tokenizer: bert, stats, b: 0.75 }),
      new Bm25Encoder({ tokenizer: bert, stats, luceneNorms: true }),
      new Bm25Encoder({ tokenizer: bert, stats: otherStats }),
      new Bm25Encoder({ tokenizer: llama, stats: llamaStats }),
    ];
    expect(new Set([base, ...variants].map((e) => e.fingerprint)).size).toBe(6);
    expect(new Bm25Encoder({ tokenizer: bert, stats, k1: 0.9, b: 0.4 }).fingerprint).toBe(base.fingerprint);
    expect(new Bm25Encoder({ tokenizer: bert, statsHash: bm25StatsHash(stats) }).fingerprint).toBe(
      base.fingerprint,
    );
  });

  it('without statistics encodes queries but refuses documents', async () => {
    const queryOnly = new Bm25Encoder({ tokenizer: bert, statsHash: bm25StatsHash(stats) });
    expect((await queryOnly.encode(['cat'], 'query'))[0].terms.length).toBe(1);
    await expect(queryOnly.encode(['cat'], 'document')).rejects.toThrow(/encodes queries only/);
  });

  it('refuses bad parameters and statistics that do not fit', () => {
    expect(() => new Bm25Encoder({ tokenizer: bert, stats, b: 1.5 })).toThrow(/b must be in \[0, 1\]/);
    expect(() => new Bm25Encoder({ tokenizer: bert, stats, k1: -1 })).toThrow(EncoderError);
    expect(() => new Bm25Encoder({ tokenizer: bert })).toThrow(/needs corpus statistics/);
    expect(() => new Bm25Encoder({ tokenizer: createTokenizer('llama3'), stats })).toThrow(
      /counted with tokenizer bert-base-uncased/,
    );
    expect(() => new Bm25Encoder({ tokenizer: bert, stats, statsHash: '0000000000000000' })).toThrow(
      /differs/,
    );
    expect(() => new Bm25Encoder({ tokenizer: bert, stats: new Bm25StatsBuilder(bert).build() })).toThrow(
      /no documents/,
    );
  });
});
