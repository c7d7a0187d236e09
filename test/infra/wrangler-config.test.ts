/**
 * The Worker's wrangler configuration (at the repository root, where `wrangler dev|deploy|types` look),
 * checked offline: its staging/production environments agree with the Cloudflare plan (same buckets,
 * binding, names, routes), and `wrangler deploy --dry-run --outdir` bundles each entry: the BM25/precomputed
 * Worker within 1 MB after gzip as wrangler reports it (no Llama 3 vocabulary, no onnxruntime), the ONNX
 * one within the Workers paid-plan limit (10 MB). Both sizes are printed.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { cloudflarePlan, exampleCloudflareConfig, R2_BUCKET_BINDING } from '../../infra/cloudflare/plan.ts';

const PAID_PLAN_LIMIT_GZIP_BYTES = 10 * 1024 * 1024;
const BM25_WORKER_LIMIT_GZIP_KIB = 1024;
const root = join(import.meta.dirname, '..', '..');

interface WranglerEnv {
  name: string;
  routes?: { pattern: string }[];
  r2_buckets: { binding: string; bucket_name: string }[];
  vars: Record<string, string>;
}

async function readJsonc(
  path: string,
): Promise<{ env: Record<string, WranglerEnv>; vars: Record<string, string> }> {
  const text = await readFile(path, 'utf8');
  // Strip // comments outside strings (the files use no block comments).
  const stripped = text.replace(/("(?:[^"\\]|\\.)*")|\/\/[^\n]*/g, (_m, str) => str ?? '');
  return JSON.parse(stripped.replace(/,(\s*[}\]])/g, '$1'));
}

const outDirs: string[] = [];
afterAll(async () => {
  await Promise.all(outDirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function bundleSize(
  config: string,
): Promise<{ raw: number; gzip: number; reportedGzipKiB: number; inputs: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'csplade-bundle-'));
  outDirs.push(dir);
  const { stdout } = await promisify(execFile)(
    join(root, 'node_modules', '.bin', 'wrangler'),
    [
      'deploy',
      '--dry-run',
      '--outdir',
      dir,
      '--metafile',
      join(dir, 'meta.json'),
      '-c',
      join(root, config),
      '--env',
      'production',
    ],
    {
      cwd: root,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1' },
      maxBuffer: 1 << 24,
    },
  );
  let raw = 0;
  let gzip = 0;
  for (const file of await readdir(dir, { recursive: true })) {
    if (file.endsWith('.map') || file.endsWith('README.md') || file === 'meta.json') continue;
    const bytes = await readFile(join(dir, file)).catch(() => undefined);
    if (!bytes) continue; // a folder
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  // wrangler's own figure, the one `wrangler deploy` checks against the plan's limit.
  const reported = /gzip: ([\d.]+) KiB/.exec(stdout);
  if (!reported) throw new Error(`no gzip size in wrangler's output:\n${stdout}`);
  const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as {
    inputs: Record<string, unknown>;
  };
  return { raw, gzip, reportedGzipKiB: Number(reported[1]), inputs: Object.keys(meta.inputs) };
}

describe('wrangler configuration', () => {
  const plan = cloudflarePlan(exampleCloudflareConfig);

  for (const config of ['wrangler.jsonc', 'wrangler.onnx.jsonc']) {
    it(`${config}: staging and production agree with the Cloudflare plan`, async () => {
      const wrangler = await readJsonc(join(root, config));
      for (const environment of ['staging', 'production'] as const) {
        const env = wrangler.env[environment];
        expect(env, `env.${environment}`).toBeDefined();
        const bucket = exampleCloudflareConfig.environments[environment].bucket;
        expect(env.r2_buckets).toEqual([{ binding: R2_BUCKET_BINDING, bucket_name: bucket }]);
        expect(Object.keys(env.vars).sort()).toEqual(Object.keys(wrangler.vars).sort());
        expect(env.vars).not.toHaveProperty('API_KEY_HASHES'); // a secret, never a var
        if (config === 'wrangler.jsonc') {
          const worker = plan.find((r) => r.kind === 'worker' && r.environment === environment);
          if (worker?.kind !== 'worker') throw new Error(`no worker for ${environment}`);
          expect(env.name).toBe(worker.name);
          expect((env.routes ?? []).map((r) => r.pattern)).toEqual(worker.routes);
        }
      }
    });
  }

  it('no deploy configuration switches the network model on (benchmarks and tests set it themselves)', async () => {
    for (const config of ['wrangler.jsonc', 'wrangler.onnx.jsonc']) {
      const text = await readFile(join(root, config), 'utf8');
      const parsed = await readJsonc(join(root, config));
      const varsOf = [parsed.vars, ...Object.values(parsed.env).map((e) => e.vars)];
      for (const vars of varsOf) expect(Object.keys(vars)).not.toContain('NETWORK_MODEL');
      expect(text).not.toMatch(/NETWORK_MODEL/);
    }
  });

  it('bundles the BM25/precomputed Worker within 1 MB gzip and the ONNX one within the paid-plan limit', async () => {
    const plain = await bundleSize('wrangler.jsonc');
    const onnx = await bundleSize('wrangler.onnx.jsonc');
    console.log(
      `worker bundle (gzip, as wrangler reports it): ${plain.reportedGzipKiB} KiB for bm25/precomputed (wrangler.jsonc), ` +
        `${onnx.reportedGzipKiB} KiB with the ONNX query encoder (wrangler.onnx.jsonc); raw ${(plain.raw / 1e6).toFixed(2)} / ${(onnx.raw / 1e6).toFixed(2)} MB`,
    );
    expect(plain.gzip).toBeGreaterThan(100_000); // really bundled the app, not an empty stub
    expect(plain.reportedGzipKiB).toBeLessThanOrEqual(BM25_WORKER_LIMIT_GZIP_KIB);
    const packages = (inputs: string[]) =>
      new Set(inputs.map((i) => /node_modules\/((@[^/]+\/)?[^/]+)/.exec(i)?.[1]));
    expect(packages(plain.inputs)).not.toContain('llama3-tokenizer-js');
    expect(packages(plain.inputs)).not.toContain('onnxruntime-web');
    expect(packages(plain.inputs)).toContain('stemmer'); // the English analyzer
    expect(packages(onnx.inputs)).toContain('llama3-tokenizer-js');
    expect(onnx.gzip).toBeGreaterThan(plain.gzip + 1_000_000); // the wasm runtime is in there
    expect(onnx.gzip).toBeLessThan(PAID_PLAN_LIMIT_GZIP_BYTES);
  }, 180_000);
});
