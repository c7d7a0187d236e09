/**
 * `csplade serve`: the search API on Node over a store (folder or s3://), the same Hono app the Worker
 * runs. Prints the URL, the indexes it found and a query to try; stops on Ctrl-C (SIGINT) or SIGTERM.
 * A port already in use is a one-line error (exit 1), not a stack trace.
 */
import { integer, storeOption } from '../../../batch/cli/options.ts';
import { defineVerb } from '../../../batch/cli/verb.ts';

interface Values {
  readonly store: string;
  readonly port: number;
  readonly host: string;
}

export const serveVerb = defineVerb<Values>({
  name: 'serve',
  summary: 'serve the search API on Node over a store (folder or s3://)',
  description:
    'Serves every index of the store at /v1/indexes/<name>/search (see GET /openapi.json). CORS_ORIGINS,\n' +
    'API_KEY_HASHES, CURRENT_TTL_MS, SUBREQUEST_BUDGET, STORE_TIMEOUT_MS, REQUEST_TIMEOUT_MS,\n' +
    'READY_TIMEOUT_MS, BODY_TIMEOUT_MS, MAX_BODY_BYTES and PUBLIC_URL are read from the environment, as the\n' +
    'Worker reads its vars. Run Node with --max-old-space-size=256 (or what your host allows) to keep memory flat.',
  options: [
    storeOption,
    {
      flags: '--port <port>',
      description: 'TCP port (0: any free one)',
      default: 8787,
      parse: integer(0),
      env: 'PORT',
    },
    { flags: '--host <address>', description: 'address to listen on', default: '127.0.0.1', env: 'HOST' },
  ],
  examples: [
    'csplade serve --store ./store',
    'csplade serve --store s3://indexes/prod --host 0.0.0.0 --port 8080',
  ],
  async run({ options }, ctx) {
    const { nodeDeps, startNodeServer } = await import('../../node-server.node.ts');
    const { openStoreOption } = await import('../../../batch/cli/runtime.ts');
    const { readCurrent } = await import('../../../batch/publish/versions.ts');
    const { resolve } = await import('node:path');
    const hasScheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(options.store);
    const location = hasScheme ? options.store : resolve(ctx.cwd, options.store);
    const store = openStoreOption(options.store, ctx, { mustExist: true });
    const server = await startNodeServer(
      { ...nodeDeps({ ...ctx.env, CSPLADE_STORE: location }), store },
      { port: options.port, host: options.host },
    );
    const names = (await store.listPrefixes('indexes/')).map((p) => p.slice('indexes/'.length, -1));
    const current = await Promise.all(names.map((name) => readCurrent(store, name)));
    const indexes = names.filter((_, i) => current[i] !== null);
    ctx.stdout.write(`csplade search API (Node) listening on ${server.url} — store ${location}\n`);
    if (indexes.length === 0) {
      ctx.stdout.write('no published index in this store yet: `csplade index --store …` publishes one\n');
    } else {
      ctx.stdout.write(`indexes: ${indexes.join(', ')}\n\nTry:\n`);
      ctx.stdout.write(`  curl -s '${server.url}/v1/indexes/${indexes[0]}/search?q=your+query&k=3'\n`);
      ctx.stdout.write(`  curl -s ${server.url}/v1/indexes/${indexes[0]}   ·   ${server.url}/openapi.json\n`);
    }
    ctx.stdout.write('Ctrl-C to stop\n');
    await new Promise<void>((done) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void server.close().finally(done);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    return 0;
  },
});
