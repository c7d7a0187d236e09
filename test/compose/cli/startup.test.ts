/**
 * The CLI as a program: help for the whole tool and for every verb (`--help`, `help <verb>`, `model
 * --help`), `--version`, "did you mean" for mistyped verbs and flags — and what keeps `csplade --help`
 * fast: the static import graph of compose/cli/main.ts holds only the CLI's own declarations and commander
 * (no pipeline, store client, tokenizer or onnxruntime), checked on the source text as
 * test/shared/encoders/import-cost.test.ts does. The real binary answers `--help` in its own process.
 */

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verbs } from '../../../compose/cli/verbs/index.ts';
import { csplade } from '../../batch/helpers/cli.ts';
import { staticImportClosure } from '../../helpers/static-imports.ts';

const ROOT = resolve(import.meta.dirname, '../../..');

const run = (...argv: string[]) => csplade(argv, { cwd: ROOT });

describe('csplade --help stays cheap', () => {
  const closure = staticImportClosure(join(ROOT, 'compose/cli/main.ts'));

  it('loads only the verb declarations, commander and node built-ins before a verb runs', () => {
    expect([...closure].some((f) => f.endsWith('batch/cli/verbs/index-corpus.ts'))).toBe(true); // sanity
    const packages = [...closure].filter((f) => !f.startsWith('/') && !f.startsWith('node:'));
    expect(packages).toEqual(['commander']);
    const files = [...closure].filter((f) => f.startsWith('/')).map((f) => f.slice(ROOT.length + 1));
    const outside = files.filter((f) => !f.startsWith('batch/cli/') && !f.startsWith('compose/cli/'));
    // The --filterable parser is the schema module itself (a leaf: it imports only shared/errors.ts);
    // --encoder reads the encoder declarations (data and lazy loaders: no encoder code).
    expect(outside.sort()).toEqual([
      'shared/docvalues/schema.ts',
      'shared/encoders/declarations.ts',
      'shared/encoders/errors.ts',
      'shared/errors.ts',
      'shared/index/layout.ts',
    ]);
  });

  it('no verb parses its arguments by hand', () => {
    for (const folder of ['batch/cli/verbs', 'compose/cli/verbs']) {
      for (const file of readdirSync(join(ROOT, folder))) {
        const text = readFileSync(join(ROOT, folder, file), 'utf8');
        expect(text, file).not.toMatch(/parseArgs|process\.argv/);
      }
    }
  });

  it('the binary answers --help in its own process, listing every verb', () => {
    const started = performance.now();
    const result = spawnSync(process.execPath, [join(ROOT, 'bin/csplade.mjs'), '--help'], {
      encoding: 'utf8',
    });
    const seconds = (performance.now() - started) / 1000;
    expect(result.status, result.stderr).toBe(0);
    for (const verb of verbs) expect(result.stdout).toContain(`  ${verb.name.split(' ')[0]} `);
    console.info(`csplade --help answered in ${seconds.toFixed(2)} s`);
  });
});

describe('help, version and suggestions', () => {
  it('prints generated help per verb, with `--help` and with `help <verb>`', async () => {
    for (const verb of verbs) {
      const viaFlag = await run(...verb.name.split(' '), '--help');
      expect(viaFlag.code, verb.name).toBe(0);
      expect(viaFlag.stdout).toContain(`Usage: csplade ${verb.name}`);
      expect(viaFlag.stdout).toContain(verb.summary);
      for (const option of verb.options ?? []) {
        expect(viaFlag.stdout, `${verb.name} ${option.flags}`).toContain(option.flags);
      }
    }
    const viaHelp = await run('help', 'index');
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toContain('Usage: csplade index');
    expect(viaHelp.stdout).toContain('--analyzer <name>');
  });

  it('`model --help` lists the model verbs', async () => {
    const result = await run('model', '--help');
    expect(result.code).toBe(0);
    for (const verb of ['prepare', 'quantize', 'report'])
      expect(result.stdout).toMatch(new RegExp(`\\n  ${verb} `));
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const result = await run('--version');
    expect(result).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('suggests the verb or flag that was meant', async () => {
    const verb = await run('serch', '--index', 'x');
    expect(verb.code).toBe(2);
    expect(verb.stderr).toMatch(/unknown command 'serch'\n\(Did you mean search\?\)/);
    const flag = await run('index', '--corpus', 'c.jsonl', '--index', 'x', '--shard', '2');
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/unknown option '--shard'\n\(Did you mean --shards\?\)/);
  });

  it('no arguments: the overview on stderr, exit code 2', async () => {
    const result = await run();
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: csplade [options] [command]');
  });
});
