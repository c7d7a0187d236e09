/**
 * `csplade index`: the whole pipeline on one machine — read and validate the corpus, encode what the cache
 * lacks, build shards, publish atomically, collect old versions. Killed and run again with the same
 * `--run`, it resumes from the encoding cache.
 */
import {
  type BuildValues,
  buildOptions,
  buildSettingsOf,
  type EncodeValues,
  encodeOptions,
  type ProgressValues,
  type PublishValues,
  progressOption,
  publishOptions,
  runOption,
  type StoreValues,
  storeOptions,
} from '../options.ts';
import { defineVerb } from '../verb.ts';

type Values = StoreValues & EncodeValues & BuildValues & PublishValues & ProgressValues & { run?: string };

export const indexVerb = defineVerb<Values>({
  name: 'index',
  summary: 'corpus → encode → prune → shards → publish, on one machine (resumable, incremental)',
  description:
    "Indexes a corpus and publishes it as the index's new CURRENT version. Documents whose text is unchanged\n" +
    'since an earlier run (of any index in the store) are not encoded again: their vectors come from the\n' +
    'encoding cache. Bad corpus lines go to the rejects file; the run goes on.',
  options: [
    ...storeOptions,
    ...encodeOptions,
    ...buildOptions,
    ...publishOptions,
    runOption(false),
    progressOption,
  ],
  examples: [
    'csplade index --corpus docs.jsonl --index docs --store ./store',
    'csplade index --corpus ../datasets/scifact --index scifact --analyzer english --shards 2',
    'csplade index --corpus s3://corpora/news/ --index news --store s3://indexes/prod --encoder onnx:./model',
  ],
  async run({ options }, ctx) {
    const { RejectsFile } = await import('../../corpus/rejects.node.ts');
    const { openCorpus } = await import('../../corpus/sources.node.ts');
    const { openStoreUrl } = await import('../../pipeline/open-store.node.ts');
    const { indexCorpus, uploadRejects } = await import('../../pipeline/pipeline.ts');
    const { documentEncoderFor, freshRunId, openStoreOption, pathFrom, progressFor } = await import(
      '../runtime.ts'
    );
    const { count, printJson } = await import('../output.ts');
    const { index } = options;
    const store = openStoreOption(options.store, ctx);
    const corpus = await openCorpus(options.corpus, {
      cwd: ctx.cwd,
      openStore: (url) => openStoreUrl(url, ctx.env, ctx.cwd),
    });
    const encoder = await documentEncoderFor(options, ctx);
    const rejects = await RejectsFile.create(pathFrom(ctx, options.rejects ?? `${index}.rejects.jsonl`));
    const run = options.run ?? freshRunId();
    const progress = progressFor(options, ctx);
    if (options.progress !== false) ctx.stderr.write(`encoder: ${encoder.label}\n`);
    try {
      const summary = await indexCorpus({
        store,
        index,
        run,
        corpus,
        encoder,
        rejects,
        progress,
        batchSize: options.batchSize,
        segmentSize: options.segmentSize,
        storeText: options.storeText === true,
        keep: options.keep,
        keepRun: options.keepRun === true,
        ...buildSettingsOf(options),
      });
      await rejects.close();
      const rejectsStored = await uploadRejects(store, index, run, 0, rejects);
      if (options.json) {
        printJson(ctx, { ...summary, rejectsStored });
        return 0;
      }
      const d = summary.documents;
      ctx.stdout.write(
        `published ${index} ${summary.version}: ${count(d.indexed)} documents in ${summary.shards} shard(s), ${count(summary.postings)} postings, ${summary.seconds.total.toFixed(1)} s\n` +
          `  ${count(d.encoded)} encoded now (${count(summary.tokensEncoded)} tokens), ${count(d.reused)} unchanged since an earlier run (vectors from the encoding cache)` +
          `${d.rejected ? `, ${count(d.rejected)} rejected → ${summary.rejectsFile}` : ''}\n`,
      );
      return 0;
    } finally {
      await rejects.close();
      await encoder.close();
    }
  },
});
