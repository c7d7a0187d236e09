/**
 * Node-side loader for Hugging Face tokenizers: reads `tokenizer.json` (and `tokenizer_config.json`
 * when present beside it) from a file or a model directory and hands the parsed JSON to the
 * runtime-neutral `HfTokenizer`.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { TokenizerError } from './errors.ts';
import { HfTokenizer } from './hf-tokenizer.ts';

/** `path` is a tokenizer.json file or a directory containing one. */
export async function loadHfTokenizer(path: string): Promise<HfTokenizer> {
  const isDirectory = (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
  const jsonPath = isDirectory ? join(path, 'tokenizer.json') : path;
  const tokenizerJson = await readJson(jsonPath, true);
  const tokenizerConfig = await readJson(join(dirname(jsonPath), 'tokenizer_config.json'), false);
  return new HfTokenizer(tokenizerJson as object, { tokenizerConfig: tokenizerConfig as object | undefined });
}

async function readJson(path: string, required: boolean): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    if (!required) return undefined;
    throw new TokenizerError('invalid_tokenizer_json', `cannot read tokenizer file ${path}`, { cause });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new TokenizerError('invalid_tokenizer_json', `${path} is not valid JSON`, { cause });
  }
}
