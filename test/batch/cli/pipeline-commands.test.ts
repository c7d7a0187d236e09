/**
 * The pipeline's CLI verbs in-process through `main` (the same dispatch as the binary): exit codes, the
 * `--json` summary, the rejects file (local and in the store), usage errors that name the flag, and the
 * progress line drawn only on a terminal.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { formatProgress, ProgressReporter } from '../../../batch/pipeline/progress.ts';
import { LocalFolderObjectStore } from '../../../shared/store/local-folder.node.ts';
import { csplade as run } from '../helpers/cli.ts';
import { sampleRecords, tempDir, writeJsonl } from '../helpers/pipeline-fixtures.ts';

const dir = await tempDir('cli');
afterAll(() => dir.remove());

const csplade = (...argv: string[]) => run(argv, { cwd: dir.path });

describe('csplade pipeline verbs: a lifecycle', () => {
  it('index → search → index again → rollback → gc, with a JSON summary and the rejects kept', async () => {
    const records: unknown[] = await sampleRecords();
    records.splice(3, 0, 'not json at all', '{"_id":"doc-002","text":"a duplicate id"}');
    const corpus = await writeJsonl(`${dir.path}/corpus.jsonl`, records);
    const store = ['--store', 'store', '--index', 'cli'];

    const first = await csplade(
      'index',
      '--corpus',
      corpus,
      ...store,
      '--shards',
      '2',
      '--run',
      'first',
      '--json',
    );
    expect(first.code, first.stderr).toBe(0);
    const summary = JSON.parse(first.stdout);
    expect(summary.documents).toEqual({ read: 75, rejected: 2, encoded: 73, reused: 0, indexed: 73 });
    expect(summary.shards).toBe(2);
    expect(Object.keys(summary.seconds)).toEqual(
      expect.arrayContaining(['encode', 'build', 'publish', 'total']),
    );
    const local = (await readFile(`${dir.path}/cli.rejects.jsonl`, 'utf8')).trim().split('\n');
    expect(local.map((l) => JSON.parse(l)).map((r) => [r.line, r.reason])).toEqual([
      [4, 'invalid_json'],
      [5, 'duplicate_id'],
    ]);
    const folder = new LocalFolderObjectStore(`${dir.path}/store`);
    const stored = await folder.get(summary.rejects_stored);
    expect(new TextDecoder().decode(stored!.bytes).trim().split('\n')).toEqual(local);

    const search = await csplade(
      'search',
      ...store,
      '--query',
      'the first computer programmer',
      '--k',
      '3',
      '--json',
    );
    expect(search.code, search.stderr).toBe(0);
    expect(JSON.parse(search.stdout).hits[0]).toMatchObject({
      id: 'doc-034',
      fields: { title: 'Ada Lovelace' },
    });

    const second = await csplade('index', '--corpus', corpus, ...store, '--json');
    expect(JSON.parse(second.stdout).documents).toMatchObject({ encoded: 0, reused: 73 });

    const back = await csplade('rollback', ...store, '--to', '1');
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toMatch(/→ v00000001-/);
    const gc = await csplade('gc', ...store, '--keep', '1', '--json');
    expect(JSON.parse(gc.stdout)).toMatchObject({ deleted: [] }); // v1 is CURRENT, v2 the newest
  });
});

describe('csplade pipeline verbs: exit codes', () => {
  it('answers usage mistakes with exit code 2 and the flag named, and failures with exit code 1', async () => {
    const missing = await csplade('index', '--index', 'cli', '--store', 'store');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/required option '--corpus <path\|url>' not specified/);
    const badWorker = await csplade(
      'encode',
      '--index',
      'x',
      '--corpus',
      'c',
      '--run',
      'r',
      '--worker',
      '3',
      '--workers',
      '2',
    );
    expect(badWorker.code).toBe(2);
    expect(badWorker.stderr).toMatch(/--worker 3 must be below --workers 2/);
    const badName = await csplade('gc', '--index', 'Bad Name', '--store', 'store');
    expect(badName.code).toBe(2);
    expect(badName.stderr).toMatch(/option '--index <name>' argument 'Bad Name' is invalid/);
    const noRun = await csplade('publish', '--index', 'cli', '--store', 'store', '--run', 'never-encoded');
    expect(noRun.code).toBe(1);
    expect(noRun.stderr).toMatch(/no finished parts.*run_incomplete/);
  });
});

describe('what the verbs say: index', () => {
  it('index prints every stage as plain lines when stderr is not a terminal, and a summary that explains its counts', async () => {
    const corpus = await writeJsonl(`${dir.path}/say.jsonl`, await sampleRecords());
    const first = await csplade(
      'index',
      '--corpus',
      corpus,
      '--store',
      'say',
      '--index',
      'say',
      '--shards',
      '2',
    );
    expect(first.code, first.stderr).toBe(0);
    const lines = first.stderr.trim().split('\n');
    expect(lines[0]).toBe('encoder: bm25 (bert-base-uncased tokens, k1 0.9, b 0.4)');
    for (const stage of [
      'encode:',
      'build: statistics:',
      'build: weights:',
      'build: write shards:',
      'publish: verify shards:',
    ]) {
      expect(
        lines.some((line) => line.startsWith(stage)),
        `${stage}\n${first.stderr}`,
      ).toBe(true);
    }
    expect(lines.filter((line) => line.startsWith('build: write shards:')).at(-1)).toMatch(
      /100%\s+2\/2 shards/,
    );
    expect(first.stderr.includes('\r') || first.stderr.includes('\u001b')).toBe(false);
    expect(first.stdout).toMatch(/^published say v\d+-\S+: 73 documents in 2 shard\(s\)/);
    expect(first.stdout).toMatch(
      /73 encoded now \([\d,]+ tokens\), 0 unchanged since an earlier run \(vectors from the encoding cache\)/,
    );
    const quiet = await csplade(
      'index',
      '--corpus',
      corpus,
      '--store',
      'say',
      '--index',
      'say',
      '--no-progress',
    );
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toMatch(/0 encoded now \(0 tokens\), 73 unchanged since an earlier run/);
  });
});

describe('what the verbs say: --json', () => {
  it('--json speaks snake_case at every depth', async () => {
    const corpus = await writeJsonl(`${dir.path}/snake.jsonl`, await sampleRecords());
    const result = await csplade(
      'index',
      '--corpus',
      corpus,
      '--store',
      'snake',
      '--index',
      'snake',
      '--json',
      '--no-progress',
    );
    expect(result.code, result.stderr).toBe(0);
    const keys: string[] = [];
    const walk = (value: unknown) => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value && typeof value === 'object')
        for (const [k, v] of Object.entries(value)) {
          keys.push(k);
          walk(v);
        }
    };
    walk(JSON.parse(result.stdout));
    expect(keys).toEqual(
      expect.arrayContaining(['tokens_encoded', 'bytes_written', 'gc_deleted', 'rejects_stored']),
    );
    expect(keys.filter((k) => /[A-Z]/.test(k))).toEqual([]);
  });
});

describe('what the verbs say: BM25 parameters', () => {
  it('records --k1, --b and the analyzer in the manifest', async () => {
    const corpus = await writeJsonl(`${dir.path}/params.jsonl`, await sampleRecords());
    const result = await csplade(
      'index',
      '--corpus',
      corpus,
      '--store',
      'params',
      '--index',
      'params',
      '--analyzer',
      'english',
      '--k1',
      '1.2',
      '--b',
      '0.75',
      '--no-progress',
    );
    expect(result.code, result.stderr).toBe(0);
    const { loadManifest } = await import('../../../batch/publish/local-search.ts');
    const manifest = await loadManifest(new LocalFolderObjectStore(`${dir.path}/params`), 'params');
    expect(manifest.encoder.config).toMatchObject({
      name: 'bm25',
      k1: 1.2,
      b: 0.75,
      tokenizer: { analyzer: 'english', termsAsset: 'english-terms.txt' },
    });
    const search = await csplade(
      'search',
      '--store',
      'params',
      '--index',
      'params',
      '-q',
      'chlorophylls converting lights',
      '-k',
      '1',
    );
    expect(search.stdout).toMatch(/1\. \S+\s+doc-001\s+Photosynthesis/);
    const badB = await csplade(
      'index',
      '--corpus',
      corpus,
      '--store',
      'params',
      '--index',
      'params',
      '--b',
      '2',
    );
    expect(badB.code).toBe(2);
    expect(badB.stderr).toMatch(/option '--b <b>' argument '2' is invalid\. must be a number in \[0, 1\]/);
  });
});

describe('what the verbs say: nothing to show', () => {
  it('a store folder that does not exist is named, with what to do', async () => {
    const result = await csplade('search', '--store', 'no-such-store', '--index', 'x', '-q', 'anything');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `csplade search: store folder ${dir.path}/no-such-store does not exist (--store no-such-store); \`csplade index\` creates one, or give the folder an index was written to [store_not_found]\n`,
    );
  });

  it('a query without hits says so, and why', async () => {
    const corpus = await writeJsonl(`${dir.path}/zero.jsonl`, await sampleRecords());
    expect(
      (await csplade('index', '--corpus', corpus, '--store', 'zero', '--index', 'zero', '--no-progress'))
        .code,
    ).toBe(0);
    const unknown = await csplade('search', '--store', 'zero', '--index', 'zero', '-q', 'zzqx');
    expect(unknown.code).toBe(0);
    expect(unknown.stdout).toMatch(
      /no hits: no document of this version contains any of the query's terms \(zz ##q ##x\)|no hits/,
    );
    expect(unknown.stdout.split('\n')[1]).toMatch(/^no hits: /);
  });
});

describe('progress', () => {
  const counts = {
    lines: 500,
    documents: 480,
    rejected: 2,
    assigned: 480,
    encoded: 400,
    reused: 80,
    tokens: 96_000,
    cacheBytesWritten: 0,
    seconds: 0,
  };

  it('formats docs/s, tokens/s and an ETA from the bytes consumed', () => {
    const line = formatProgress(counts, 250, 1000, 2);
    expect(line).toContain('[#####---------------]');
    expect(line).toContain(' 25%');
    expect(line).toContain('240 docs/s');
    expect(line).toContain('48k tok/s');
    expect(line).toContain('ETA 0:06');
  });

  it('draws in place on a terminal, and writes plain lines at most every interval elsewhere', () => {
    const written: string[] = [];
    const bar = new ProgressReporter({ isTTY: true, write: (t: string) => written.push(t) });
    bar.encode(counts, 1, 2, true);
    bar.done();
    expect(written[0]).toMatch(/^\r\[##########-+\]\s+50%\s+480 docs/);
    expect(written.at(-1)).toBe('\n');

    let now = 0;
    const plain: string[] = [];
    const log = new ProgressReporter(
      { isTTY: false, write: (t: string) => plain.push(t) },
      { intervalMs: 10_000, now: () => now },
    );
    log.encode(counts, 1, 4); // first line of a stage: printed
    now = 5_000;
    log.encode({ ...counts, documents: 600 }, 2, 4); // within the interval: not printed
    now = 11_000;
    log.encode({ ...counts, documents: 700 }, 3, 4); // interval passed: printed
    log.stage('build: write shards', 0, 2, 'shards'); // a new stage: printed
    log.stage('build: write shards', 2, 2, 'shards'); // its end: printed
    expect(plain).toHaveLength(4);
    for (const line of plain) {
      expect(line).toMatch(/\n$/);
      expect(line.includes('\r') || line.includes('\u001b')).toBe(false);
    }
    expect(plain[0]).toMatch(/^encode:\s+25%\s+480 docs/);
    expect(plain[1]).toMatch(/^encode:\s+75%\s+700 docs/);
    expect(plain[3]).toMatch(/^build: write shards: 100% {2}2\/2 shards/);
  });
});
