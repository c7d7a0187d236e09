/**
 * `csplade encode`: one worker's share of an encode run — the documents whose id hash falls in slice
 * `--worker` of `--workers` go through the encoding cache, and the worker's run part marks it done. Run it
 * as an array job (AWS Batch, Kubernetes Indexed Job) with one shared `--run`, then `csplade publish --run`.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { RejectsFile } from '../../corpus/rejects.node.ts';
import { openCorpus } from '../../corpus/sources.node.ts';
import { openStoreUrl } from '../../pipeline/open-store.node.ts';
import { encodeRun, uploadRejects } from '../../pipeline/pipeline.ts';
import { ProgressBar } from '../../pipeline/progress.ts';
import type { CliContext, Command } from '../command.ts';
import {
  ENCODE_HELP,
  encodeFlags,
  encoderFlag,
  indexFlag,
  integerFlag,
  openStoreFlag,
  printJson,
  runFlag,
  STORE_HELP,
  storeFlags,
  stringFlag,
  workerFlags,
} from './pipeline-flags.ts';

const usage = `usage: csplade encode --corpus <path|s3://…> --index <name> --run <id> [--worker i --workers N] [--store …]

Encodes this worker's slice of the corpus into the encoding cache and records the run part.
${STORE_HELP}
${ENCODE_HELP}
  --run           run id shared by every worker (default: $CSPLADE_RUN)
  --worker        this worker's index (default: $AWS_BATCH_JOB_ARRAY_INDEX, $JOB_COMPLETION_INDEX, 0)
  --workers       number of workers (default: $AWS_BATCH_JOB_ARRAY_SIZE, $CSPLADE_WORKERS, 1)`;

export const encodeCommand: Command = {
  name: 'encode',
  summary: "encode one worker's slice of a corpus into the encoding cache (array jobs)",
  usage,
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        ...storeFlags,
        ...encodeFlags,
        run: { type: 'string' },
        worker: { type: 'string' },
        workers: { type: 'string' },
      },
    });
    const index = indexFlag(values);
    const run = runFlag(values, ctx.env, true);
    const { worker, workers } = workerFlags(values, ctx.env);
    const store = await openStoreFlag(values, ctx);
    const corpus = await openCorpus(stringFlag(values, 'corpus'), {
      cwd: ctx.cwd,
      openStore: (url) => openStoreUrl(url, ctx.env, ctx.cwd),
    });
    const encoder = await encoderFlag(values, ctx);
    // Worker 0 reports bad lines; every worker reports documents its encoder refused.
    const defaultRejects = worker === 0 ? `${index}.rejects.jsonl` : `${index}.rejects.w${worker}.jsonl`;
    const rejects = await RejectsFile.create(resolve(ctx.cwd, stringFlag(values, 'rejects', defaultRejects)));
    try {
      const { part, alreadyDone } = await encodeRun({
        store,
        index,
        run,
        worker,
        workers,
        corpus,
        encoder,
        rejects,
        progress: new ProgressBar(ctx.stderr as NodeJS.WriteStream),
        batchSize: integerFlag(values, 'batch-size', 256),
        segmentSize: integerFlag(values, 'segment-size', 1000),
      });
      await rejects.close();
      const rejectsStored = await uploadRejects(store, index, run, worker, rejects);
      const summary = {
        rejectsStored,
        index,
        run,
        worker,
        workers,
        alreadyDone,
        ...part.counts,
        rejectsFile: rejects.count ? rejects.path : undefined,
      };
      if (values.json) printJson(ctx, summary);
      else {
        ctx.stdout.write(
          `${alreadyDone ? 'already done' : 'done'}: worker ${worker}/${workers} of run ${run}: ${part.counts.assigned} documents (${part.counts.encoded} encoded, ${part.counts.reused} from cache), ${part.counts.rejected} rejected\n`,
        );
      }
      return 0;
    } finally {
      await rejects.close();
      await encoder.close();
    }
  },
};
