/**
 * The Worker on this machine, in the real Workers runtime: bundles edge/worker.ts with wrangler's own
 * bundler (`wrangler deploy --dry-run --outdir`, offline) and loads the bundle into Miniflare (workerd)
 * with a local R2 bucket bound as BUCKET. Used by `npm start`, the Miniflare tests and bench:edge, so all
 * three run exactly what `wrangler deploy` would upload.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Miniflare } from 'miniflare';
import { R2BindingObjectStore } from '../shared/store/r2-binding.ts';
import { assertPortFree } from './port.node.ts';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Bundles the Worker of `config` (a wrangler file at the repository root: wrangler.jsonc, or
 * wrangler.onnx.jsonc for the ONNX entry) into `outDir` (a fresh temporary folder by default); returns
 * the main script's path.
 */
export async function bundleWorker(outDir?: string, config = 'wrangler.jsonc'): Promise<string> {
  const dir = outDir ?? (await mkdtemp(join(tmpdir(), 'csplade-worker-')));
  const wrangler = join(REPO_ROOT, 'node_modules', '.bin', 'wrangler');
  await promisify(execFile)(
    wrangler,
    ['deploy', '--dry-run', '--outdir', dir, '-c', join(REPO_ROOT, config)],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1' },
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const { main } = await readConfig(config);
  return join(dir, `${basename(main).replace(/\.ts$/, '')}.js`);
}

export async function readConfig(config: string) {
  return JSON.parse(stripJsonComments(await readFile(join(REPO_ROOT, config), 'utf8'))) as {
    main: string;
    compatibility_date: string;
    compatibility_flags: string[];
    vars: Record<string, string>;
    r2_buckets: { binding: string; bucket_name: string }[];
  };
}

export interface LocalWorkerOptions {
  /** Bundle from bundleWorker(). */
  readonly scriptPath: string;
  /** Vars and secrets (strings) on top of wrangler.jsonc's defaults. */
  readonly vars?: Record<string, string>;
  /** Folder persisting the local R2 bucket (as `wrangler dev --persist-to`); in memory when absent. */
  readonly persistTo?: string;
  /** Port on 127.0.0.1 for real HTTP clients (autocannon, curl); default 0, a free one. */
  readonly port?: number;
  /**
   * Where the Cache API keeps its entries: a folder (shared by the workers started over it), false for
   * memory (a fresh, empty cache); default `<persistTo>/cache` when persistTo is given.
   */
  readonly cachePersist?: string | false;
  /** Port of workerd's V8 inspector (Chrome DevTools protocol), for benchmarks that read the isolate's heap. */
  readonly inspectorPort?: number;
  /**
   * Also serve the Worker on a socket of its own (`directUrl`), as workerd serves it in production,
   * without Miniflare's entry worker in between (it proxies every request of `url`, and its own heap
   * grows under sustained load: soak measurements of the Worker go to the direct socket).
   */
  readonly directSocket?: boolean;
  /**
   * Receives each line the Worker writes to stdout (its request log lines); absent, they are dropped so
   * that benchmarks print one JSON object. workerd's stderr (errors) always goes to this process's stderr.
   */
  readonly onStdout?: (line: string) => void;
}

export interface LocalWorker {
  readonly miniflare: Miniflare;
  /** The bucket bound as BUCKET, as an ObjectStore (put index objects in through it). */
  readonly bucket: R2BindingObjectStore;
  /** The URL it listens on (127.0.0.1). */
  readonly url: URL;
  /** The Worker's own socket, when `directSocket` was asked for. */
  readonly directUrl?: URL;
  dispose(): Promise<void>;
}

/**
 * Starts workerd with the bundled Worker; vars default to those of wrangler.jsonc. A port already in
 * use rejects with PortInUseError (workerd itself would crash with a dump).
 */
export async function startLocalWorker(options: LocalWorkerOptions): Promise<LocalWorker> {
  await assertPortFree('127.0.0.1', options.port ?? 0);
  const config = await readConfig('wrangler.jsonc');
  // Modules listed explicitly, main first: auto-discovery stumbles on the dynamic import inside
  // onnxruntime-web; the bundle's wasm files are compiled modules.
  const bundleDir = dirname(options.scriptPath);
  const wasm = (await readdir(bundleDir)).filter((f) => f.endsWith('.wasm'));
  const miniflare = new Miniflare({
    modules: [
      { type: 'ESModule', path: options.scriptPath },
      ...wasm.map((f) => ({ type: 'CompiledWasm' as const, path: join(bundleDir, f) })),
    ],
    // Module names are paths relative to this root; the bundle lives in a temporary folder.
    modulesRoot: bundleDir,
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: config.compatibility_flags,
    bindings: { ...config.vars, ...options.vars },
    r2Buckets: ['BUCKET'],
    ...(options.persistTo ? { r2Persist: options.persistTo } : {}),
    ...(options.cachePersist !== undefined
      ? { cachePersist: options.cachePersist }
      : options.persistTo
        ? { cachePersist: join(options.persistTo, 'cache') }
        : {}),
    host: '127.0.0.1',
    port: options.port ?? 0,
    ...(options.inspectorPort ? { inspectorPort: options.inspectorPort } : {}),
    ...(options.directSocket ? { unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }] } : {}),
    handleRuntimeStdio(stdout: Readable, stderr: Readable) {
      let pending = '';
      stdout.on('data', (chunk: Buffer) => {
        const lines = (pending + chunk.toString('utf8')).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) options.onStdout?.(line);
      });
      // Written, not piped: a pipe per worker would pile listeners onto process.stderr.
      stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    },
  });
  const url = await miniflare.ready;
  const bucket = new R2BindingObjectStore((await miniflare.getR2Bucket('BUCKET')) as never, {
    name: 'BUCKET',
  });
  const directUrl = options.directSocket ? await miniflare.unsafeGetDirectURL() : undefined;
  return { miniflare, bucket, url, ...(directUrl ? { directUrl } : {}), dispose: () => miniflare.dispose() };
}

/** wrangler.jsonc allows // comments; strip them (outside strings) before JSON.parse. */
function stripJsonComments(text: string): string {
  return text.replace(/("(?:[^"\\]|\\.)*")|\/\/[^\n]*/g, (_m, str: string | undefined) => str ?? '');
}
