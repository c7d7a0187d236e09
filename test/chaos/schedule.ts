/**
 * One chaos schedule, everything drawn from its seed: three tiny corpora, usually one to three versions
 * published first, then 3–6 operations — publish, rollback, gc, verify, verify --fix — started together at random offsets.
 * In-process operations run over their own fault-injecting view of the store (delays, transient and
 * permanent errors, lost writes, damaged reads, lying listings, hangs cut off by a deadline, and for some
 * a crash after a random number of calls: the in-process SIGKILL). In schedules that allow it, some
 * operations run as child processes of the real CLI, SIGKILLed at a random moment or left to finish.
 * A poller records every version CURRENT names meanwhile; the invariants (invariants.ts) are checked once
 * everything has settled. The same seed replays the same operations, parameters, faults and kill times;
 * only the operating system's scheduling of concurrent requests can differ between runs.
 */
import { writeFile } from 'node:fs/promises';
import { openCorpus } from '../../batch/corpus/sources.node.ts';
import { Bm25DocumentEncoder } from '../../batch/pipeline/document-encoder.ts';
import { indexCorpus } from '../../batch/pipeline/pipeline.ts';
import { decodeLifecyclePointer } from '../../batch/publish/current-pointer.ts';
import { collectGarbage } from '../../batch/publish/gc.ts';
import { rollback } from '../../batch/publish/rollback.ts';
import { verifyStore } from '../../batch/publish/verify.ts';
import { listVersions } from '../../batch/publish/versions.ts';
import { CspladeError } from '../../shared/errors.ts';
import { currentKey } from '../../shared/index/layout.ts';
import { mulberry32 } from '../../shared/random.ts';
import { type FaultOptions, faults } from '../../shared/store/faults.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { startCli } from '../batch/helpers/cli-process.ts';
import { type TinyDocument, tinyCorpus, WORDS } from '../batch/helpers/lifecycle.ts';
import { checkInvariants } from './invariants.ts';
import type { ChaosStore, ChaosTarget } from './targets.ts';

export const INDEX = 'chaos';
const HOUR = 3_600_000;

type OpKind = 'publish' | 'rollback' | 'gc' | 'verify' | 'fix';

interface PlannedOp {
  readonly n: number;
  readonly kind: OpKind;
  readonly startMs: number;
  readonly cli: boolean;
  /** CLI only: SIGKILL after this many ms (null: let it finish). */
  readonly killAfterMs: number | null;
  /** In-process only: the fault view's options (null: the raw store). */
  readonly faults: Omit<FaultOptions, 'signal'> | null;
  readonly variant: number;
  readonly shards: number;
  readonly keep: number;
  readonly pick: number;
  readonly runMaxAge: 0 | null;
  readonly clockSkewMs: number | undefined;
}

export interface OpRecord {
  readonly n: number;
  readonly kind: OpKind;
  readonly via: 'process' | 'cli';
  /** 'ok', an error code, 'killed', or 'unexpected:<message>' for an error that is no CspladeError. */
  readonly outcome: string;
  readonly ms: number;
}

export interface ScheduleResult {
  readonly seed: number;
  readonly target: string;
  readonly violations: string[];
  readonly ops: OpRecord[];
  readonly faultsInjected: number;
  readonly observed: number;
  readonly seconds: number;
}

export interface ScheduleOptions {
  /** Whether some operations run as CLI child processes, killed at random. */
  readonly cli: boolean;
  /** Folder for corpus and rejects files. */
  readonly workDir: string;
  readonly log?: (line: string) => void;
}

interface Plan {
  readonly longGrace: boolean;
  readonly variants: TinyDocument[][];
  /** Versions published (cleanly, one after the other) before the operations start. */
  readonly initial: number;
  readonly ops: PlannedOp[];
  readonly queries: string[];
}

export function planSchedule(seed: number, cli: boolean): Plan {
  const random = mulberry32(seed);
  const int = (n: number) => Math.floor(random() * n);
  const variants = [0, 1, 2].map((k) => tinyCorpus(seed * 7 + k, 10 + int(16)));
  // Mostly no grace period: then only the tombstone protocol stands between gc and what CURRENT names.
  const longGrace = random() < 0.3;
  // Usually a few versions already, so gc has something to delete and rollback somewhere to go.
  const initial = random() < 0.9 ? 1 + int(3) : 0;
  const count = 3 + int(4);
  const kinds: OpKind[] = [
    'publish',
    'publish',
    'rollback',
    'rollback',
    'rollback',
    'gc',
    'gc',
    'gc',
    'verify',
    'fix',
  ];
  const ops: PlannedOp[] = [];
  for (let n = 0; n < count; n++) {
    const kind = kinds[int(kinds.length)];
    const viaCli = cli && (n === 0 || random() < 0.4);
    const faulty = !viaCli && random() < 0.6;
    const crash = faulty && random() < 0.3 ? int(80) : undefined;
    ops.push({
      n,
      kind,
      startMs: int(40),
      cli: viaCli,
      killAfterMs: viaCli && random() < 0.75 ? int(2500) : null,
      faults: faulty
        ? {
            seed: seed * 1000 + n,
            delay: { probability: 0.3, maxMs: 3 },
            error: { probability: 0.02, after: 0.5, permanent: 0.2 },
            lose: { probability: 0.01 },
            corrupt: { probability: 0.01 },
            truncate: { probability: 0.005 },
            listing: { omit: 0.02, extra: 0.02 },
            hang: { probability: 0.003 },
            hangTimeoutMs: 100,
            crashAfterCalls: crash,
          }
        : null,
      variant: int(3),
      shards: 1 + int(3),
      keep: 1 + int(3),
      pick: random(),
      runMaxAge: random() < 0.5 ? 0 : null,
      clockSkewMs: random() < 0.5 ? 0 : undefined,
    });
  }
  const queries = Array.from({ length: 3 }, () =>
    Array.from({ length: 1 + int(3) }, () => WORDS[int(WORDS.length)]).join(' '),
  );
  return { longGrace, variants, initial, ops, queries };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const encoder = new Bm25DocumentEncoder();

export async function runSchedule(
  seed: number,
  target: ChaosTarget,
  options: ScheduleOptions,
): Promise<ScheduleResult> {
  const began = performance.now();
  const plan = planSchedule(seed, options.cli);
  const log = options.log ?? (() => undefined);
  const chaos = await target.open(seed);
  const corpusFiles: string[] = [];
  for (const [k, docs] of plan.variants.entries()) {
    const path = `${options.workDir}/s${seed}-v${k}.jsonl`;
    await writeFile(path, `${docs.map((d) => JSON.stringify(d)).join('\n')}\n`);
    corpusFiles.push(path);
  }
  const runs = new Map<string, number>();
  log(`seed ${seed} on ${target.kind}: grace ${plan.longGrace ? '1h' : '0'}, ${plan.ops.length} operations`);
  for (let i = 0; i < plan.initial; i++) {
    runs.set(`s${seed}-init${i}`, i % 3);
    await publishInProcess(chaos.store, `s${seed}-init${i}`, corpusFiles[i % 3], 1 + (i % 2), 10);
  }
  const observed = new Set<string>();
  let settled = false;
  const poller = (async () => {
    while (!settled) {
      const object = await chaos.store.get(currentKey(INDEX)).catch(() => null);
      if (object) {
        try {
          observed.add(decodeLifecyclePointer(object.bytes).version);
        } catch {
          // A CURRENT that does not decode is caught by the invariants.
        }
      }
      await sleep(target.kind === 'folder' ? 2 : 8);
    }
  })();
  const abort = new AbortController();
  let faultsInjected = 0;
  const records = await Promise.all(
    plan.ops.map(async (op): Promise<OpRecord> => {
      await sleep(op.startMs);
      const run = `s${seed}-p${op.n}`;
      if (op.kind === 'publish') runs.set(run, op.variant);
      const t0 = performance.now();
      let outcome: string;
      if (op.cli) outcome = await runViaCli(op, chaos, plan, corpusFiles, run, options.workDir);
      else {
        const store = op.faults ? faults(chaos.store, { ...op.faults, signal: abort.signal }) : chaos.store;
        try {
          await runInProcess(op, store, plan, corpusFiles, run);
          outcome = 'ok';
        } catch (error) {
          outcome =
            error instanceof CspladeError
              ? error.code
              : `unexpected:${(error as Error)?.message ?? String(error)}`;
        }
        if ('events' in store) faultsInjected += (store as { events: unknown[] }).events.length;
      }
      const record: OpRecord = {
        n: op.n,
        kind: op.kind,
        via: op.cli ? 'cli' : 'process',
        outcome,
        ms: Math.round(performance.now() - t0),
      };
      log(
        `  op ${op.n} ${op.kind} via ${record.via}${op.faults ? ' with faults' : ''}: ${outcome} (${record.ms} ms)`,
      );
      return record;
    }),
  );
  abort.abort();
  settled = true;
  await poller;
  const violations = await checkInvariants({
    store: chaos.store,
    index: INDEX,
    observed,
    longGrace: plan.longGrace,
    corpusOfRun: (run) => {
      const variant = runs.get(run);
      return variant === undefined ? undefined : plan.variants[variant];
    },
    queries: plan.queries,
  }).catch((error: Error) => [`checking the invariants failed: ${error.message}`]);
  for (const v of violations) log(`  VIOLATION: ${v}`);
  if (violations.length === 0) await chaos.cleanup();
  else log(`  the store is kept at ${chaos.storeArg}`);
  return {
    seed,
    target: target.kind,
    violations,
    ops: records,
    faultsInjected,
    observed: observed.size,
    seconds: (performance.now() - began) / 1000,
  };
}

async function publishInProcess(
  store: ObjectStore,
  run: string,
  corpus: string,
  shards: number,
  keep: number,
) {
  await indexCorpus({
    store,
    index: INDEX,
    run,
    corpus: await openCorpus(corpus),
    encoder,
    shards,
    keep,
    segmentSize: 8,
  });
}

async function rollbackTarget(store: ObjectStore, pick: number): Promise<string | null> {
  const published = (await listVersions(store, INDEX)).filter((v) => v.hasManifest);
  return published.length ? published[Math.floor(pick * published.length)].version : null;
}

async function runInProcess(op: PlannedOp, store: ObjectStore, plan: Plan, corpora: string[], run: string) {
  switch (op.kind) {
    case 'publish':
      return publishInProcess(store, run, corpora[op.variant], op.shards, op.keep);
    case 'rollback': {
      const to = await rollbackTarget(store, op.pick);
      if (to) await rollback(store, INDEX, to);
      return;
    }
    case 'gc':
      await collectGarbage(store, INDEX, {
        keep: op.keep,
        graceMs: plan.longGrace ? HOUR : 0,
        runMaxAgeMs: op.runMaxAge,
        cacheMaxAgeMs: op.runMaxAge,
        clockSkewMs: op.clockSkewMs,
      });
      return;
    case 'verify':
    case 'fix':
      await verifyStore(store, { index: INDEX, fix: op.kind === 'fix' });
      return;
  }
}

async function runViaCli(
  op: PlannedOp,
  chaos: ChaosStore,
  plan: Plan,
  corpora: string[],
  run: string,
  workDir: string,
): Promise<string> {
  const base = ['--store', chaos.storeArg, '--index', INDEX];
  let args: string[];
  switch (op.kind) {
    case 'publish':
      args = ['index', ...base, '--corpus', corpora[op.variant], '--run', run, '--shards', String(op.shards)];
      args.push(
        '--keep',
        String(op.keep),
        '--segment-size',
        '8',
        '--rejects',
        `${workDir}/${run}.rejects.jsonl`,
      );
      break;
    case 'rollback': {
      const to = await rollbackTarget(chaos.store, op.pick);
      if (!to) return 'ok';
      args = ['rollback', ...base, '--to', to];
      break;
    }
    case 'gc':
      args = ['gc', ...base, '--keep', String(op.keep), '--grace', plan.longGrace ? '1h' : '0'];
      args.push(
        '--run-max-age',
        op.runMaxAge === 0 ? '0' : 'never',
        '--cache-max-age',
        op.runMaxAge === 0 ? '0' : 'never',
      );
      break;
    default:
      args = ['verify', ...base, ...(op.kind === 'fix' ? ['--fix'] : [])];
  }
  const { child, done } = startCli(args, chaos.env);
  const timer = op.killAfterMs === null ? null : setTimeout(() => child.kill('SIGKILL'), op.killAfterMs);
  const result = await done;
  if (timer) clearTimeout(timer);
  if (result.signal === 'SIGKILL') return 'killed';
  if (result.code === 0) return 'ok';
  const code = /\[([a-z_]+)\]\s*$/.exec(result.stderr.trim())?.[1];
  if (result.code === 1 && op.kind !== 'verify' && op.kind !== 'fix' && code) return code;
  if (result.code === 1 && (op.kind === 'verify' || op.kind === 'fix')) return 'found_problems';
  return `unexpected:exit ${result.code}: ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`;
}
