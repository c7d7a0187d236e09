/**
 * Reads an evaluation input (queries, qrels, run) as UTF-8 text, gunzipping `*.gz`, and writes run
 * files atomically (temp file + rename) so a crashed eval never leaves half a run that trec_eval
 * would happily score. Errors name the path.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { EvalInputError } from '../../shared/eval/errors.ts';

export async function readTextFile(path: string, what: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw new EvalInputError(`cannot read ${what} file ${path}: ${(cause as Error).message}`, { cause });
  }
  if (path.endsWith('.gz')) {
    try {
      bytes = gunzipSync(bytes);
    } catch (cause) {
      throw new EvalInputError(`${what} file ${path} is not valid gzip`, { cause });
    }
  }
  return new TextDecoder('utf-8').decode(bytes);
}

export async function writeTextFileAtomic(path: string, text: string): Promise<void> {
  const temp = `${path}.tmp-${process.pid}`;
  await writeFile(temp, text, 'utf8');
  await rename(temp, path);
}
