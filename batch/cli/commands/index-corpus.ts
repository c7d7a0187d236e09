/**
 * `csplade index`: the whole pipeline on one machine — read and validate the corpus, encode what the cache
 * lacks, build shards, publish atomically, collect old versions. Killed at any point and run again with the
 * same `--run`, it resumes from the cache; a fresh run id also reuses the cache (only the bookkeeping of the
 * killed run is left in runs/, and nothing of it is ever published).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { RejectsFile } from '../../corpus/rejects.node.ts';
import { openCorpus } from '../../corpus/sources.node.ts';
import { openStoreUrl } from '../../pipeline/open-store.node.ts';
import { indexCorpus, uploadRejects } from '../../pipeline/pipeline.ts';
import { ProgressBar } from '../../pipeline/progress.ts';
import type { CliContext, Command } from '../command.ts';
import {
  BUILD_HELP,
  buildFlags,
  buildOptionFlags,
  ENCODE_HELP,
  encodeFlags,
  encoderFlag,
  indexFlag,
  integerFlag,
  openStoreFlag,
  PUBLISH_HELP,
  printJson,
  publishFlags,
  runFlag,
  STORE_HELP,
  storeFlags,
  stringFlag,
} from './pipeline-flags.ts';

const usage = `usage: csplade index --corpus <path|s3://bucket/prefix> --index <name> [--store <dir|s3://bucket/prefix>]
                     [--encoder bm25|onnx:<model dir>] [--shards N] [--json] […]

Indexes a corpus and publishes it as the index's new CURRENT version.
${STORE_HELP}
${ENCODE_HELP}
${BUILD_HELP}
${PUBLISH_HELP}
  --run           run id (default: a fresh one); reuse it to resume a killed run`;

export const indexCommand: Command = {
  name: 'index',
  summary: 'corpus → encode → prune → shards → publish, on one machine (resumable, incremental)',
  usage,
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: { ...storeFlags, ...encodeFlags, ...buildFlags, ...publishFlags, run: { type: 'string' } },
    });
    const index = indexFlag(values);
    const store = await openStoreFlag(values, ctx);
    const corpus = await openCorpus(stringFlag(values, 'corpus'), {
      cwd: ctx.cwd,
      openStore: (url) => openStoreUrl(url, ctx.env, ctx.cwd),
    });
    const encoder = await encoderFlag(values, ctx);
    const rejects = await RejectsFile.create(
      resolve(ctx.cwd, stringFlag(values, 'rejects', `${index}.rejects.jsonl`)),
    );
    const run = runFlag(values, ctx.env, false);
    try {
      const summary = await indexCorpus({
        store,
        index,
        run,
        corpus,
        encoder,
        rejects,
        progress: new ProgressBar(ctx.stderr as NodeJS.WriteStream),
        batchSize: integerFlag(values, 'batch-size', 256),
        segmentSize: integerFlag(values, 'segment-size', 1000),
        keep: integerFlag(values, 'keep', 3),
        keepRun: values['keep-run'] === true,
        ...buildOptionFlags(values),
      });
      await rejects.close();
      const rejectsStored = await uploadRejects(store, index, run, 0, rejects);
      if (values.json) printJson(ctx, { ...summary, rejectsStored });
      else {
        const d = summary.documents;
        ctx.stdout.write(
          `published ${index} ${summary.version}: ${d.indexed} documents (${d.encoded} encoded, ${d.reused} from cache, ${d.rejected} rejected${d.rejected ? ` → ${summary.rejectsFile}` : ''}), ${summary.postings} postings in ${summary.shards} shard(s), ${summary.seconds.total.toFixed(1)} s\n`,
        );
      }
      return 0;
    } finally {
      await rejects.close();
      await encoder.close();
    }
  },
};
