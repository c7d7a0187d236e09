/**
 * `npm run test:chaos [-- options]`: the chaos suite at full size — 1,000 schedules of concurrent publish /
 * rollback / gc / verify over the folder store and 100 over radosgw (started here with
 * test/services/radosgw.sh unless S3_ENDPOINT answers), every 12th (folder) or 10th (radosgw) schedule
 * with CLI child processes SIGKILLed at random points. Exits 1 on any violation, printing each failing
 * seed; `--seed N [--target folder|radosgw]` replays one schedule with a trace of its operations.
 *
 *   --json            print one JSON object (schedules_folder, schedules_radosgw, violations, …)
 *   --folder N        folder schedules (default 1000)     --radosgw N    radosgw schedules (default 100)
 *   --first-seed S    seeds S, S+1, … (default 1)         --concurrency C schedules at once (default 3)
 *   --seed N          replay one schedule                  --target T     with --seed: folder (default) | radosgw
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { s3ClientConfig } from '../../shared/store/s3.ts';
import { type RadosgwInstance, startRadosgw } from '../services/radosgw-instance.node.ts';
import { runSchedule } from './schedule.ts';
import { runSuite, type SuiteSummary } from './suite.ts';
import { type ChaosTarget, folderTarget, radosgwTarget } from './targets.ts';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    folder: { type: 'string', default: '1000' },
    radosgw: { type: 'string', default: '100' },
    'first-seed': { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '3' },
    seed: { type: 'string' },
    target: { type: 'string', default: 'folder' },
  },
});
const count = (name: 'folder' | 'radosgw' | 'first-seed' | 'concurrency') => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer`);
  return n;
};

const FOLDER_CLI_EVERY = 20;
const RADOSGW_CLI_EVERY = 10;
const began = performance.now();
const work = await mkdtemp(join(tmpdir(), 'csplade-chaos-'));
let radosgw: RadosgwInstance | null = null;
let bucket: { client: S3Client; name: string } | null = null;
let keepWork = false;

async function deleteBucket(client: S3Client, name: string): Promise<void> {
  for (;;) {
    const page = await client.send(new ListObjectsV2Command({ Bucket: name }));
    const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
    if (keys.length === 0) break;
    await client.send(new DeleteObjectsCommand({ Bucket: name, Delete: { Objects: keys, Quiet: true } }));
  }
  await client.send(new DeleteBucketCommand({ Bucket: name }));
}

async function radosgwChaosTarget(): Promise<ChaosTarget> {
  radosgw = await startRadosgw();
  const client = new S3Client(s3ClientConfig(radosgw.env));
  const name = `chaos-${Date.now().toString(36)}`;
  await client.send(new CreateBucketCommand({ Bucket: name }));
  bucket = { client, name };
  return radosgwTarget(radosgw.env, name, `${process.pid}`);
}

const progress = (label: string, total: number) => {
  let done = 0;
  return () => {
    done++;
    if (!values.json && (done % 50 === 0 || done === total))
      process.stderr.write(`${label}: ${done}/${total}\n`);
  };
};

try {
  if (values.seed !== undefined) {
    const seed = Number(values.seed);
    const target = values.target === 'radosgw' ? await radosgwChaosTarget() : folderTarget(`${work}/stores`);
    const every = target.kind === 'folder' ? FOLDER_CLI_EVERY : RADOSGW_CLI_EVERY;
    const result = await runSchedule(seed, target, {
      cli: seed % every === 0,
      workDir: work,
      log: (line) => process.stdout.write(`${line}\n`),
    });
    process.stdout.write(
      `${result.violations.length === 0 ? 'ok' : 'FAILED'}: seed ${seed} in ${result.seconds.toFixed(2)} s\n`,
    );
    process.exitCode = result.violations.length === 0 ? 0 : 1;
    keepWork = result.violations.length > 0 && target.kind === 'folder';
  } else {
    const first = count('first-seed');
    const seeds = (n: number) => Array.from({ length: n }, (_, i) => first + i);
    const concurrency = count('concurrency');
    const folderCount = count('folder');
    const radosgwCount = count('radosgw');
    const folder: SuiteSummary = await runSuite(folderTarget(`${work}/stores`), {
      seeds: seeds(folderCount),
      cliEvery: FOLDER_CLI_EVERY,
      concurrency,
      workDir: work,
      onResult: progress('folder', folderCount),
    });
    const s3: SuiteSummary | null =
      radosgwCount > 0
        ? await runSuite(await radosgwChaosTarget(), {
            seeds: seeds(radosgwCount),
            cliEvery: RADOSGW_CLI_EVERY,
            concurrency,
            workDir: work,
            onResult: progress('radosgw', radosgwCount),
          })
        : null;
    const violations = folder.violations + (s3?.violations ?? 0);
    const failing = [
      ...folder.failing.map((f) => ({ target: 'folder', ...f })),
      ...(s3?.failing ?? []).map((f) => ({ target: 'radosgw', ...f })),
    ];
    const summary = {
      schedules_folder: folder.schedules,
      schedules_radosgw: s3?.schedules ?? 0,
      violations,
      failing_seeds: failing.map((f) => ({ target: f.target, seed: f.seed, violations: f.violations })),
      replay: failing.length
        ? `npm run test:chaos -- --seed ${failing[0].seed} --target ${failing[0].target}`
        : null,
      cli_processes: folder.cliProcesses + (s3?.cliProcesses ?? 0),
      cli_killed: folder.cliKilled + (s3?.cliKilled ?? 0),
      faults_injected: folder.faultsInjected + (s3?.faultsInjected ?? 0),
      outcomes_folder: folder.outcomes,
      outcomes_radosgw: s3?.outcomes ?? {},
      unexpected_errors: [...folder.unexpectedErrors, ...(s3?.unexpectedErrors ?? [])],
      seconds_folder: Number(folder.seconds.toFixed(1)),
      seconds_radosgw: Number((s3?.seconds ?? 0).toFixed(1)),
      seconds_total: Number(((performance.now() - began) / 1000).toFixed(1)),
    };
    if (values.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    else {
      process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      for (const f of failing)
        process.stdout.write(`FAILED seed ${f.seed} (${f.target}): ${f.violations.join(' / ')}\n`);
    }
    process.exitCode = violations === 0 ? 0 : 1;
  }
} finally {
  const made = bucket as { client: S3Client; name: string } | null;
  if (made) await deleteBucket(made.client, made.name).catch(() => undefined);
  if (radosgw) await (radosgw as RadosgwInstance).stop();
  if (!keepWork) await rm(work, { recursive: true, force: true });
}
