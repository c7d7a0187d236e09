/**
 * The one list of CLI verbs, in the order `csplade --help` shows them. Adding a verb = one file in this
 * folder (a `defineVerb` declaration) + one line here.
 */
import type { Verb } from '../verb.ts';
import { buildVerb } from './build.ts';
import { encodeVerb } from './encode.ts';
import { evalVerb } from './eval.ts';
import { gcVerb } from './gc.ts';
import { indexVerb } from './index-corpus.ts';
import { modelPrepareVerb } from './model-prepare.ts';
import { modelQuantizeVerb } from './model-quantize.ts';
import { modelReportVerb } from './model-report.ts';
import { publishVerb } from './publish.ts';
import { rollbackVerb } from './rollback.ts';
import { searchVerb } from './search.ts';
import { serveVerb } from './serve.ts';
import { verifyVerb } from './verify.ts';

export const verbs: readonly Verb[] = [
  indexVerb,
  searchVerb,
  serveVerb,
  encodeVerb,
  buildVerb,
  publishVerb,
  gcVerb,
  rollbackVerb,
  verifyVerb,
  evalVerb,
  modelPrepareVerb,
  modelQuantizeVerb,
  modelReportVerb,
];

/** Summaries of the parent commands of nested verbs. */
export const groups: Readonly<Record<string, string>> = {
  model: 'ONNX model tools: prepare (fuse the SPLADE head), quantize, report',
};
