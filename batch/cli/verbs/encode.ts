/**
 * `csplade encode`: one worker's share of an encode run — the documents whose id hash falls in slice
 * `--worker` of `--workers` go through the encoding cache, and the worker's run part marks it done. Run it
 * as an array job (AWS Batch, Kubernetes Indexed Job) with one shared `--run`, then `csplade publish --run`.
 */
import {
  type EncodeValues,
  encodeOptions,
  type ProgressValues,
  progressOption,
  runOption,
  type StoreValues,
  storeOptions,
  workerOptions,
} from '../options.ts';
import { defineVerb } from '../verb.ts';

type Values = StoreValues &
  EncodeValues &
  ProgressValues & { run: string; worker?: number; workers?: number };

export const encodeVerb = defineVerb<Values>({
  name: 'encode',
  summary: "encode one worker's slice of a corpus into the encoding cache (array jobs)",
  description:
    "Encodes this worker's slice of the corpus into the encoding cache and records the run part. When every\n" +
    'worker of the run is done, `csplade publish --run <id>` builds and publishes the version.',
  options: [...storeOptions, ...encodeOptions, runOption(true), ...workerOptions, progressOption],
  examples: [
    'csplade encode --corpus s3://corpora/news/ --index news --store s3://indexes/prod --run nightly-42 --worker 0 --workers 8',
  ],
  async run({ options }, ctx) {
    const { RejectsFile } = await import('../../corpus/rejects.node.ts');
    const { openCorpus } = await import('../../corpus/sources.node.ts');
    const { openStoreUrl } = await import('../../pipeline/open-store.node.ts');
    const { encodeRun, uploadRejects } = await import('../../pipeline/pipeline.ts');
    const { documentEncoderFor, openStoreOption, pathFrom, progressFor, workersFrom } = await import(
      '../runtime.ts'
    );
    const { count, printJson } = await import('../output.ts');
    const { index, run } = options;
    const { worker, workers } = workersFrom(options, ctx.env);
    const store = openStoreOption(options.store, ctx);
    const corpus = await openCorpus(options.corpus, {
      cwd: ctx.cwd,
      openStore: (url) => openStoreUrl(url, ctx.env, ctx.cwd),
    });
    const encoder = await documentEncoderFor(options, ctx);
    // Worker 0 reports bad lines; every worker reports documents its encoder refused.
    const defaultRejects = worker === 0 ? `${index}.rejects.jsonl` : `${index}.rejects.w${worker}.jsonl`;
    const rejects = await RejectsFile.create(pathFrom(ctx, options.rejects ?? defaultRejects));
    if (options.progress !== false) ctx.stderr.write(`encoder: ${encoder.label}\n`);
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
        progress: progressFor(options, ctx),
        batchSize: options.batchSize,
        segmentSize: options.segmentSize,
        storeText: options.storeText === true,
      });
      await rejects.close();
      const rejectsStored = await uploadRejects(store, index, run, worker, rejects);
      const c = part.counts;
      if (options.json) {
        printJson(ctx, {
          index,
          run,
          worker,
          workers,
          alreadyDone,
          documents: { assigned: c.assigned, encoded: c.encoded, reused: c.reused, rejected: c.rejected },
          tokensEncoded: c.tokens,
          cacheBytesWritten: c.cacheBytesWritten,
          seconds: c.seconds,
          rejectsFile: rejects.count ? rejects.path : undefined,
          rejectsStored,
        });
        return 0;
      }
      ctx.stdout.write(
        `${alreadyDone ? 'already done' : 'done'}: worker ${worker} of ${workers} (run ${run}): ${count(c.assigned)} documents — ` +
          `${count(c.encoded)} encoded now, ${count(c.reused)} unchanged since an earlier run (from the encoding cache), ${count(c.rejected)} rejected\n`,
      );
      return 0;
    } finally {
      await rejects.close();
      await encoder.close();
    }
  },
});
