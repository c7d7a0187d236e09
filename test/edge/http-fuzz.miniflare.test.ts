/**
 * A bounded run of the HTTP fuzz (test/edge/fuzz, `npm run test:fuzz` runs ≥ 10,000 requests per
 * runtime) in every `npm test`: fast-check generated hostile requests against the Node entry (its own
 * process, over a folder store) and the Worker in workerd (local R2), each answered without an
 * unexpected 5xx, without a crash, with every error in the documented JSON shape, and with a correct
 * answer to a known query after each batch. FUZZ_SEED replays a run; the seed is in the failure message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FuzzServers, startFuzzServers } from './fuzz/fuzz-servers.ts';
import { runFuzz } from './fuzz/run-fuzz.ts';

const REQUESTS = 480;
// A fixed seed keeps `npm test` deterministic; `npm run test:fuzz` explores new seeds.
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_206);

let servers: FuzzServers;
beforeAll(async () => {
  servers = await startFuzzServers(['node', 'workerd']);
}, 120_000);
afterAll(() => servers?.dispose());

describe('HTTP fuzz (bounded)', () => {
  for (const runtime of ['node', 'workerd'] as const) {
    it(`${runtime}: ${REQUESTS} generated requests, no unexpected 5xx, no crash, JSON errors only`, async () => {
      const server = servers[runtime]!;
      const report = await runFuzz(server, {
        requests: REQUESTS,
        seed: SEED,
        targets: servers.targets,
        reference: servers.reference,
        checkEvery: 96,
      });
      const summary = `seed ${SEED} (FUZZ_SEED=${SEED} replays): ${JSON.stringify(report.examples, null, 1)}`;
      expect(report.requests).toBe(REQUESTS);
      expect(report.unexpected_5xx, summary).toBe(0);
      expect(report.crashes, summary).toBe(0);
      expect(report.bad_error_bodies, summary).toBe(0);
      expect(report.no_answer, summary).toBe(0);
      expect(report.reference_failures, summary).toBe(0);
      expect(report.reference_checks).toBeGreaterThanOrEqual(REQUESTS / 96);
      // The generator reaches the answers that matter, not just 404s.
      for (const status of ['200', '400', '413', '408'])
        expect(report.statuses[status] ?? 0, status).toBeGreaterThan(0);
    }, 180_000);
  }
});
