/**
 * Reads a whole (small) corpus into memory as the encoder sees it — ids and `encoderInput` texts —
 * through the batch pipeline's own source and validating reader, so an in-process evaluation
 * encodes exactly what `csplade index` encodes. Rejected lines fail the load: an evaluation over a
 * silently shortened corpus would report numbers for a different collection.
 */

import { EvalInputError } from '../../shared/eval/errors.ts';
import { encoderInput } from '../corpus/document.ts';
import { readCorpus } from '../corpus/read-corpus.ts';
import { openCorpus } from '../corpus/sources.node.ts';
import type { EncodedCorpus } from './encoder-searcher.ts';

export async function loadCorpusTexts(spec: string): Promise<EncodedCorpus> {
  const source = await openCorpus(spec);
  const ids: string[] = [];
  const texts: string[] = [];
  const rejects: string[] = [];
  for await (const doc of readCorpus(source.chunks(), {
    onReject: (r) => {
      rejects.push(`line ${r.lineNumber}: ${r.reason} (${r.detail})`);
    },
  })) {
    ids.push(doc.id);
    texts.push(encoderInput(doc));
  }
  if (rejects.length > 0) {
    throw new EvalInputError(`corpus ${spec}: ${rejects.length} rejected line(s), first: ${rejects[0]}`);
  }
  return { ids, texts };
}
