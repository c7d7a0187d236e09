/**
 * Adding an encoder is one declaration (shared/encoders/declarations.ts): a tiny test encoder, declared
 * here and touched nowhere else, is accepted by `csplade index --encoder`, encodes the corpus's
 * documents, is recorded in the manifest, is rebuilt from it by the edge, answers text queries with the
 * documents that hold the words, and finds a word's terms for snippets the way its declaration says.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { main as csplade } from '../../compose/cli/main.ts';
import { createApp } from '../../edge/app.ts';
import { QueryCodec, registryEncoderFactory } from '../../edge/search/query-codec.ts';
import type { EncoderDescription } from '../../shared/encoders/config.ts';
import { declareEncoder } from '../../shared/encoders/declarations.ts';
import type { Encoder } from '../../shared/encoders/encoder.ts';
import { createEncoder, registeredEncoders } from '../../shared/encoders/registry.ts';
import type { SparseVector } from '../../shared/sparse/types.ts';
import { LocalFolderObjectStore } from '../../shared/store/local-folder.node.ts';

/** Lower-case words of a fixed vocabulary, each counted once per occurrence. */
const VOCABULARY = [
  'aardvark',
  'bison',
  'burrows',
  'cormorant',
  'dives',
  'fish',
  'graze',
  'night',
  'prairie',
];

class TinyWordsEncoder implements Encoder {
  readonly name = 'tiny-words';
  readonly fingerprint = 'tiny-words/1';
  readonly vocabSize = VOCABULARY.length;
  tokenOf(term: number): string {
    return VOCABULARY[term];
  }
  idOf(token: string): number | undefined {
    const at = VOCABULARY.indexOf(token);
    return at < 0 ? undefined : at;
  }
  async encode(texts: readonly string[]): Promise<SparseVector[]> {
    return texts.map((text) => {
      const counts = new Map<number, number>();
      for (const word of text.toLowerCase().split(/[^a-z]+/)) {
        const term = this.idOf(word);
        if (term !== undefined) counts.set(term, (counts.get(term) ?? 0) + 1);
      }
      const terms = Uint32Array.from([...counts.keys()].sort((a, b) => a - b));
      return { terms, weights: Float32Array.from(terms, (t) => counts.get(t)!) };
    });
  }
  describe(): EncoderDescription {
    return { config: { name: this.name }, assets: {} };
  }
}

// The one change adding an encoder needs.
declareEncoder({
  name: 'tiny-words',
  cli: { help: 'tiny-words' },
  document: { input: 'text' },
  query: { text: true, analyzedLikeDocuments: true },
  tokenizer: 'lower-case words of a fixed vocabulary',
  assets: [],
  runtimes: { node: true, worker: null },
  factory: async () => () => new TinyWordsEncoder(),
});

const LINES = [
  { _id: 'a', text: 'aardvark burrows at night' },
  { _id: 'b', text: 'bison graze the prairie' },
  { _id: 'c', text: 'cormorant dives for fish, and a bison watches' },
];

let dir: string;

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await csplade(argv, {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    env: process.env,
    cwd: dir,
  });
  return { code, out, err };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'csplade-tiny-encoder-'));
  await writeFile(join(dir, 'corpus.jsonl'), `${LINES.map((l) => JSON.stringify(l)).join('\n')}\n`);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('is built by the registry and listed with the others', async () => {
  expect(registeredEncoders()).toContain('tiny-words');
  const encoder = await createEncoder({ name: 'tiny-words' });
  expect(encoder).toBeInstanceOf(TinyWordsEncoder);
});

it('is indexed by the CLI, rebuilt by the edge from the manifest, and answers text queries', async () => {
  const indexed = await run(
    'index',
    ...['--corpus', 'corpus.jsonl', '--index', 'tiny', '--store', 'store', '--encoder', 'tiny-words'],
    ...['--shards', '1', '--json', '--no-progress'],
  );
  expect(indexed.err).toBe('');
  expect(indexed.code).toBe(0);
  expect(JSON.parse(indexed.out).documents.indexed).toBe(3);

  const app = createApp({
    store: new LocalFolderObjectStore(join(dir, 'store')),
    encoderFactory: registryEncoderFactory,
  });
  const described = (await (await app.request('/v1/indexes/tiny')).json()) as {
    encoder: { name: string };
  };
  expect(described.encoder.name).toBe('tiny-words');
  const res = await app.request('/v1/indexes/tiny/search?q=bison%20prairie&k=3');
  const body = (await res.json()) as { hits: { id: string }[] };
  expect(res.status).toBe(200);
  expect(body.hits.map((h) => h.id)).toEqual(['b', 'c']);
});

it('takes no `:<value>` its declaration does not ask for, and is offered among the choices', async () => {
  const refused = await run('index', '--corpus', 'corpus.jsonl', '--index', 'x', '--encoder', 'tiny-words:a');
  expect(refused.code).toBe(2);
  expect(refused.err).toContain('must be bm25, precomputed, onnx:<model dir> or tiny-words');
});

it('finds a word’s snippet terms by analysis, as its declaration says', async () => {
  const codec = new QueryCodec(new TinyWordsEncoder());
  expect(codec.acceptsText).toBe(true);
  // Analysis splits the word into two known words; a vocabulary lookup would find only "bison".
  expect(await codec.termsOfWords(['Bison-prairie', 'zebra'])).toEqual([[1, 8], []]);
});
