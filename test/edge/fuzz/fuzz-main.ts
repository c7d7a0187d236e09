/**
 * `npm run test:fuzz -- [--requests 10000] [--seed N] [--concurrency 8] [--runtimes node,workerd] [--json]`:
 * the full HTTP fuzz (run-fuzz.ts) against the Node entry and the Worker in workerd. Prints one JSON
 * object `{node: {requests, unexpected_5xx, crashes, …}, workerd: {…}, seconds}` (with --json; a summary
 * line per runtime otherwise) and exits 1 when anything broke. `npm test` runs a bounded subset
 * (test/edge/http-fuzz.miniflare.test.ts); a failure there or here replays with its printed seed.
 */
import { numberArg, stringArg } from '../../bench/args.ts';
import { startFuzzServers } from './fuzz-servers.ts';
import { type FuzzReport, runFuzz } from './run-fuzz.ts';

const requests = numberArg('requests', 10_000);
const seed = numberArg('seed', Math.floor(Math.random() * 2 ** 31));
const concurrency = numberArg('concurrency', 8);
const runtimes = stringArg('runtimes', 'node,workerd').split(',') as ('node' | 'workerd')[];
const json = process.argv.includes('--json');

const started = performance.now();
const servers = await startFuzzServers(runtimes);
const reports: Record<string, FuzzReport> = {};
try {
  for (const server of [servers.node, servers.workerd]) {
    if (!server) continue;
    process.stderr.write(`fuzzing ${server.name} (${server.url}): ${requests} requests, seed ${seed}\n`);
    reports[server.name] = await runFuzz(server, {
      requests,
      seed,
      concurrency,
      targets: servers.targets,
      reference: servers.reference,
    });
  }
} finally {
  await servers.dispose();
}
const failed = Object.values(reports).some(
  (r) => r.unexpected_5xx + r.crashes + r.bad_error_bodies + r.no_answer + r.reference_failures > 0,
);
const out = { ...reports, seconds: Math.round((performance.now() - started) / 100) / 10 };
if (json) {
  process.stdout.write(`${JSON.stringify(out)}\n`);
} else {
  for (const [name, r] of Object.entries(reports)) {
    process.stdout.write(
      `${name}: ${r.requests} requests in ${r.seconds} s, unexpected 5xx ${r.unexpected_5xx}, crashes ${r.crashes}, ` +
        `bad error bodies ${r.bad_error_bodies}, no answer ${r.no_answer}, reference ${r.reference_checks - r.reference_failures}/${r.reference_checks}; ` +
        `statuses ${JSON.stringify(r.statuses)}\n`,
    );
    for (const e of r.examples) process.stdout.write(`  ${JSON.stringify(e)}\n`);
  }
}
process.exit(failed ? 1 : 0);
