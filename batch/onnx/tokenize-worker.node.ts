/**
 * Worker-thread entry for tokenization. The first message carries the tokenizer source and the
 * model config; the worker builds its own tokenizer and the query/document layouts once, then
 * answers each `{ id, texts, role, ownerBase }` with packed sequences whose buffers are
 * transferred (not copied) back to the main thread.
 */
import { parentPort } from 'node:worker_threads';
import type { EncodeRole } from '../../shared/encoders/encoder.ts';
import type { ModelConfig } from '../../shared/encoders/onnx/config.ts';
import { roleLayout, textsToPackedSequences } from '../../shared/encoders/onnx/text-sequences.ts';
import { loadTokenizer, type TokenizerSource } from './tokenizer-source.node.ts';

export type WorkerRequest =
  | { readonly type: 'init'; readonly source: TokenizerSource; readonly config: ModelConfig }
  | {
      readonly type: 'tokenize';
      readonly id: number;
      readonly texts: string[];
      readonly role: EncodeRole;
      readonly ownerBase: number;
    };

const port = parentPort;
if (!port) throw new Error('tokenize-worker.node.ts must run in a worker thread');

let ready:
  | Promise<
      (texts: string[], role: EncodeRole, ownerBase: number) => ReturnType<typeof textsToPackedSequences>
    >
  | undefined;

port.on('message', async (message: WorkerRequest) => {
  if (message.type === 'init') {
    ready = loadTokenizer(message.source).then((tokenizer) => {
      const layouts = {
        query: roleLayout(message.config, tokenizer, 'query'),
        document: roleLayout(message.config, tokenizer, 'document'),
      };
      return (texts, role, ownerBase) => textsToPackedSequences(tokenizer, layouts[role], texts, ownerBase);
    });
    return;
  }
  try {
    if (!ready) throw new Error('tokenize worker used before init');
    const tokenize = await ready;
    const packed = tokenize(message.texts, message.role, message.ownerBase);
    const buffers = [packed.ids, packed.offsets, packed.poolStart, packed.poolEnd, packed.owner].map(
      (a) => a.buffer as ArrayBuffer,
    );
    port.postMessage({ id: message.id, packed }, buffers);
  } catch (error) {
    port.postMessage({
      id: message.id,
      error: { message: (error as Error).message, code: (error as { code?: string }).code },
    });
  }
});
