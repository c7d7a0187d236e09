/**
 * `csplade` command-line entry: the verbs of verbs/index.ts as one commander program (program.ts).
 * `main(argv, ctx)` is what the binary, `npm start` and the tests call; it resolves to the exit code.
 * Only the verb declarations load before a verb runs, so `csplade --help` answers without importing
 * the pipeline, the store clients or onnxruntime.
 */
import { readFileSync } from 'node:fs';
import { runProgram } from '../../batch/cli/program.ts';
import type { CliContext } from '../../batch/cli/verb.ts';
import { groups, verbs } from './verbs/index.ts';

export type { CliContext } from '../../batch/cli/verb.ts';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export function main(argv: readonly string[], ctx: CliContext): Promise<number> {
  return runProgram(
    {
      name: 'csplade',
      version,
      description:
        'Learned sparse retrieval (SPLADE, CSPLADE, BM25): index to object storage, search from the edge.',
      verbs,
      groups,
      epilog:
        'Stores: a folder, file://…, s3://bucket/prefix (S3_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,\n' +
        'AWS_REGION from the environment) or memory:. Start with:\n' +
        '  csplade index --corpus docs.jsonl --index docs --store ./store\n' +
        '  csplade serve --store ./store',
    },
    argv,
    ctx,
  );
}

const isEntry =
  import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('compose/cli/main.ts');
if (isEntry) {
  main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
  })
    .then((code) => {
      process.exitCode = code;
    })
    .catch((error) => {
      console.error(error);
      process.exitCode = 1;
    });
}
