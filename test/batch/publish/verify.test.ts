/**
 * `csplade verify [--index] [--version] [--fix] [--json]`: a sound store passes (exit 0, a snake_case JSON
 * report); issue 14, case 9 — CURRENT overwritten with garbage — is found (exit 1) and `--fix` repoints it to
 * the newest complete version with the real CLI process; so are a CURRENT naming a missing or an incomplete
 * version and a missing CURRENT; nothing is "fixed" when the store only failed to answer, when no complete
 * version exists, or when a damaged read is not confirmed by a second one.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeLifecyclePointer } from '../../../batch/publish/current-pointer.ts';
import { encodeQueryText, loadManifest, searchManifest } from '../../../batch/publish/local-search.ts';
import { verifyStore } from '../../../batch/publish/verify.ts';
import { readCurrent } from '../../../batch/publish/versions.ts';
import { main } from '../../../compose/cli/main.ts';
import { currentKey, manifestKey } from '../../../shared/index/layout.ts';
import { faults } from '../../../shared/store/faults.ts';
import { LocalFolderObjectStore } from '../../../shared/store/local-folder.node.ts';
import { MemoryObjectStore } from '../../../shared/store/memory.ts';
import type { ObjectStore } from '../../../shared/store/object-store.ts';
import { runCli } from '../helpers/cli-process.ts';
import { currentVerdict, publishCorpus, writeTinyCorpus } from '../helpers/lifecycle.ts';
import { tempDir } from '../helpers/pipeline-fixtures.ts';

const INDEX = 'checked';
const dir = await tempDir('verify');
afterAll(() => dir.remove());
let corpora: string[];
beforeAll(async () => {
  corpora = [];
  for (let seed = 21; seed <= 23; seed++) corpora.push(await writeTinyCorpus(dir.path, seed));
});

async function threeVersions(store: ObjectStore): Promise<string[]> {
  const versions: string[] = [];
  for (const [i, corpus] of corpora.entries())
    versions.push(await publishCorpus(store, INDEX, `run${i}`, corpus));
  return versions;
}

async function csplade(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _encoding, done) {
        append(String(chunk));
        done();
      },
    });
  const code = await main(argv, {
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
    env: {},
    cwd: dir.path,
  });
  return { code, stdout, stderr };
}

const garbage = new TextEncoder().encode('\u0000\u00ffnot a pointer');

describe('csplade verify: a sound store and a garbage CURRENT', () => {
  it('passes a sound store, in text and in snake_case JSON', async () => {
    const path = `${dir.path}/sound`;
    const versions = await threeVersions(new LocalFolderObjectStore(path));
    const text = await csplade('verify', '--store', path);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`index ${INDEX}: CURRENT → ${versions[2]}`);
    expect(text.stdout).toMatch(/all checks passed/);
    const json = await csplade('verify', '--store', path, '--index', INDEX, '--json');
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({
      ok: true,
      indexes: [
        { index: INDEX, ok: true, current: { status: 'ok', version: versions[2] }, unpublished_folders: [] },
      ],
    });
    expect(report.indexes[0].versions.map((v: { version: string }) => v.version)).toEqual(versions);
    expect(report.indexes[0].versions[0]).toMatchObject({
      ok: true,
      broken: false,
      shards_checked: 2,
      problems: [],
    });
    expect(report.indexes[0].versions[0].bytes_checked).toBeGreaterThan(0);
    const one = JSON.parse(
      (await csplade('verify', '--store', path, '--index', INDEX, '--version', versions[0], '--json')).stdout,
    );
    expect(one.indexes[0].versions.map((v: { version: string }) => v.version)).toEqual([versions[0]]);
  });

  it('finds a garbage CURRENT and --fix repairs it (the real CLI process)', async () => {
    const path = `${dir.path}/garbage`;
    const store = new LocalFolderObjectStore(path);
    const versions = await threeVersions(store);
    await store.put(currentKey(INDEX), garbage);

    const found = await runCli(['verify', '--store', path, '--index', INDEX, '--json']);
    expect(found.code, found.stderr).toBe(1);
    expect(JSON.parse(found.stdout).indexes[0].current).toMatchObject({ status: 'garbage', version: null });
    // Publishing, rolling back and gc all refuse a CURRENT they cannot read, and say how to repair it.
    const gc = await csplade('gc', '--store', path, '--index', INDEX);
    expect(gc.code).toBe(1);
    expect(gc.stderr).toMatch(
      /CURRENT cannot be read .*csplade verify --index checked --fix.*\[current_unreadable\]/,
    );

    const fixed = await runCli(['verify', '--store', path, '--index', INDEX, '--fix']);
    expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
    expect(fixed.stdout).toContain(`fixed: CURRENT (unreadable) → ${versions[2]} (newest complete version)`);
    const pointer = decodeLifecyclePointer((await store.get(currentKey(INDEX)))!.bytes);
    expect(pointer.version).toBe(versions[2]);
    expect(Date.parse(pointer.historySince)).toBeGreaterThan(Date.now() - 60_000); // history unknown before the fix
    const manifest = await loadManifest(store, INDEX);
    const hits = await searchManifest(store, manifest, await encodeQueryText(store, manifest, 'river ocean'));
    expect(hits.length).toBeGreaterThan(0);
    expect((await runCli(['verify', '--store', path])).code).toBe(0);
  });
});

describe('csplade verify --fix: where CURRENT is repointed', () => {
  it('repoints a CURRENT naming a missing version, or an incomplete one, to the newest complete version', async () => {
    const store = new MemoryObjectStore();
    const versions = await threeVersions(store);
    // Names a version that does not exist.
    const state = (await readCurrent(store, INDEX))!;
    const bogus = {
      ...state.pointer,
      version: 'v00000009-20260101T000000Z-gone',
      manifestKey: manifestKey(INDEX, 'v00000009-20260101T000000Z-gone'),
    };
    await store.put(currentKey(INDEX), new TextEncoder().encode(JSON.stringify(bogus)));
    let report = await verifyStore(store, { index: INDEX });
    expect(report.indexes[0].current.status).toBe('names_missing_version');
    report = await verifyStore(store, { index: INDEX, fix: true });
    expect(report.indexes[0].fix).toEqual({ fixed: true, from: bogus.version, to: versions[2] });
    expect(report.ok).toBe(true);

    // Names an incomplete version (its newest): repointed to the newest complete one, the broken one reported.
    const shard = (await loadManifest(store, INDEX, versions[2])).shards[0].key;
    await store.delete(shard);
    report = await verifyStore(store, { index: INDEX, fix: true });
    expect(report.indexes[0].fix).toEqual({ fixed: true, from: versions[2], to: versions[1] });
    expect(report.ok).toBe(false);
    expect(report.indexes[0].versions.find((v) => v.version === versions[2])?.problems[0]).toMatchObject({
      key: shard,
      kind: 'missing',
    });
    expect(await currentVerdict(store, INDEX)).toMatchObject({ ok: true, version: versions[1] });
    const after = decodeLifecyclePointer((await store.get(currentKey(INDEX)))!.bytes);
    expect(after.history[0].version).toBe(versions[2]);
  });

  it('creates a missing CURRENT when versions exist, and refuses when no version is complete', async () => {
    const store = new MemoryObjectStore();
    const versions = await threeVersions(store);
    await store.delete(currentKey(INDEX));
    let report = await verifyStore(store, { index: INDEX, fix: true });
    expect(report.indexes[0].fix).toEqual({ fixed: true, from: null, to: versions[2] });

    for (const version of versions)
      await store.delete((await loadManifest(store, INDEX, version)).shards[1].key);
    await store.put(currentKey(INDEX), garbage);
    report = await verifyStore(store, { index: INDEX, fix: true });
    expect(report.indexes[0].fix).toEqual({
      fixed: false,
      reason: 'no complete version to repoint CURRENT to',
    });
    expect(report.ok).toBe(false);
    expect(new TextDecoder().decode((await store.get(currentKey(INDEX)))!.bytes)).toContain('not a pointer');
  });
});

describe('csplade verify: store failures and usage mistakes', () => {
  it('never fixes on a store error or on a damaged read that a second read does not confirm', async () => {
    const store = new MemoryObjectStore();
    const versions = await threeVersions(store);
    // The read of CURRENT fails transiently (call 1: after the listing).
    const failing = faults(store, { seed: 1, schedule: [{ call: 1, fault: 'error' }] });
    let report = await verifyStore(failing, { index: INDEX, fix: true });
    expect(report.indexes[0].current.status).toBe('unreadable');
    expect(report.indexes[0].fix).toBeUndefined();
    expect(report.ok).toBe(false);

    // The first whole read of CURRENT's first shard comes back damaged, the second intact.
    const shard = (await loadManifest(store, INDEX, versions[2])).shards[0].key;
    let damaged = false;
    const flaky: ObjectStore = {
      ...store,
      get: async (key) => {
        const found = await store.get(key);
        if (found && key === shard && !damaged) {
          damaged = true;
          found.bytes[40] ^= 0xff;
        }
        return found;
      },
      getRange: (k, o, l) => store.getRange(k, o, l),
      head: (k) => store.head(k),
      put: (k, b, o) => store.put(k, b, o),
      list: (p) => store.list(p),
      listPrefixes: (p) => store.listPrefixes(p),
      delete: (k) => store.delete(k),
    };
    report = await verifyStore(flaky, { index: INDEX, fix: true });
    expect(damaged).toBe(true);
    expect(report.indexes[0].current).toMatchObject({ status: 'unreadable', version: versions[2] });
    expect(report.indexes[0].current.detail).toMatch(/a second read did not.*answered inconsistently/);
    expect(report.indexes[0].fix).toBeUndefined();
    expect((await readCurrent(store, INDEX))?.pointer.version).toBe(versions[2]);
  });

  it('answers usage mistakes clearly', async () => {
    const noIndex = await csplade('verify', '--store', `${dir.path}/sound`, '--version', 'v1');
    expect(noIndex.code).toBe(1);
    expect(noIndex.stderr).toMatch(/--version needs --index/);
    const both = await csplade(
      'verify',
      '--store',
      `${dir.path}/sound`,
      '--index',
      INDEX,
      '--version',
      'v1',
      '--fix',
    );
    expect(both.stderr).toMatch(/drop --version/);
    const empty = await csplade('verify', '--store', `${dir.path}/nothing-here`);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toBe('no indexes in this store\n');
  });
});
