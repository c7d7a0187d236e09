/**
 * The search page (GET /) in a real browser: Debian's chromium driven by playwright-core, against the
 * Node entry and the Worker in workerd, each serving two real indexes. Typing a query and pressing Enter
 * shows hits with their snippets (query-contributing words marked) and explanation bars whose widths
 * follow the contributions; "/" brings the keyboard back to the query box; the page runs under its own
 * Content-Security-Policy without a single violation or script error.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorker, type LocalWorker, startLocalWorker } from '../../edge/local-worker.node.ts';
import { type NodeServer, nodeDeps, startNodeServer } from '../../edge/node.ts';
import { LocalFolderObjectStore } from '../../shared/store/local-folder.node.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { buildTestIndex, SAMPLE_DOCS } from './helpers/test-index.ts';

/** The page's globals as these page-side functions use them (this file is type-checked without the DOM library). */
interface PageGlobal {
  document: {
    getElementById(id: string): { options?: { length: number } } | null;
    activeElement: { id: string } | null;
  };
}

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let dir: string;
let browser: BrowserContext;
let server: NodeServer;
let worker: LocalWorker;

async function seed(store: ObjectStore) {
  await buildTestIndex(store, { index: 'demo', version: 'v1', shards: 2, storeText: true });
  await buildTestIndex(store, { index: 'plain', version: 'v1', shards: 1, docs: SAMPLE_DOCS.slice(0, 6) });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'csplade-page-'));
  await seed(new LocalFolderObjectStore(join(dir, 'store')));
  server = await startNodeServer(
    { ...nodeDeps({ CSPLADE_STORE: join(dir, 'store') }), log: () => {} },
    { port: 0 },
  );
  worker = await startLocalWorker({ scriptPath: await bundleWorker(join(dir, 'worker')) });
  await seed(worker.bucket);
  // A fresh profile (--user-data-dir) per run: nothing carried over from another session.
  browser = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await worker?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Opens the page, collecting script errors and CSP violations. */
async function open(url: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  const res = await page.goto(url);
  expect(res?.status()).toBe(200);
  expect(res?.headers()['content-security-policy']).toMatch(/script-src 'sha256-/);
  // Functions, not strings: the page's CSP forbids eval, which a string predicate needs while polling.
  await page.waitForFunction(
    () => (globalThis as unknown as PageGlobal).document.getElementById('index')?.options?.length === 2,
  );
  return { page, problems };
}

describe.each([
  ['the Node entry', () => server.url],
  ['the Worker in workerd', () => worker.url.origin],
])('the search page on %s', (_name, origin) => {
  it('typing a query and pressing Enter shows hits, snippets and explanation bars', async () => {
    const { page, problems } = await open(`${origin()}/`);
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobal).document.activeElement?.id)).toBe(
      'q',
    );
    await page.selectOption('#index', 'demo');
    await page.keyboard.type('brown fox in the forest');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.hit');
    const hits = await page.$$eval('.hit', (items) =>
      items.map((li) => ({
        title: li.querySelector('h2')?.textContent ?? '',
        marks: [...li.querySelectorAll('.snippet mark')].map((m) => ({
          text: m.textContent,
          token: m.getAttribute('title'),
        })),
        bars: [...li.querySelectorAll('.explain .bar')].map((b) => ({
          label: b.getAttribute('aria-label'),
          width: b.getBoundingClientRect().width,
        })),
      })),
    );
    expect(hits.length).toBeGreaterThan(2);
    expect(hits[0].marks.length).toBeGreaterThan(0);
    for (const hit of hits) {
      expect(hit.bars.length).toBeGreaterThan(0);
      // The strongest token's bar is the longest one, and every bar has a width.
      expect(hit.bars[0].width).toBe(Math.max(...hit.bars.map((b) => b.width)));
      for (const bar of hit.bars) expect(bar.width).toBeGreaterThan(0);
      const barTokens = hit.bars.map((b) => b.label!.split(' contributes ')[0]);
      for (const mark of hit.marks) expect(barTokens).toContain(mark.token);
    }
    expect(await page.textContent('#status')).toMatch(/^\d+ hits in \d+ ms \(exact, v1\)$/);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('is keyboard-friendly: "/" returns to the query box; another index answers without snippets', async () => {
    const { page, problems } = await open(`${origin()}/`);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobal).document.activeElement?.id)).toBe(
      'index',
    );
    await page.keyboard.press('/');
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobal).document.activeElement?.id)).toBe(
      'q',
    );
    await page.selectOption('#index', 'plain');
    await page.focus('#q');
    await page.keyboard.type('lazy dog');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.hit');
    expect(await page.$$eval('.snippet', (s) => s.length)).toBe(0);
    expect(await page.$$eval('.bar', (s) => s.length)).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    await page.close();
  });
});
