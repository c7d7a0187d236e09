/**
 * The one list of CLI verbs, in the order `csplade --help` shows them. Adding a verb = one file (a
 * `defineVerb` declaration: in batch/cli/verbs/ when it needs only the batch job, in this folder when it
 * also runs edge code, as search, serve and eval do) + one line here.
 */
import type { Verb } from '../../../batch/cli/verb.ts';
import { buildVerb } from '../../../batch/cli/verbs/build.ts';
import { encodeVerb } from '../../../batch/cli/verbs/encode.ts';
import { gcVerb } from '../../../batch/cli/verbs/gc.ts';
import { indexVerb } from '../../../batch/cli/verbs/index-corpus.ts';
import { modelPrepareVerb } from '../../../batch/cli/verbs/model-prepare.ts';
import { modelQuantizeVerb } from '../../../batch/cli/verbs/model-quantize.ts';
import { modelReportVerb } from '../../../batch/cli/verbs/model-report.ts';
import { publishVerb } from '../../../batch/cli/verbs/publish.ts';
import { rollbackVerb } from '../../../batch/cli/verbs/rollback.ts';
import { verifyVerb } from '../../../batch/cli/verbs/verify.ts';
import { evalVerb } from './eval.ts';
import { searchVerb } from './search.ts';
import { serveVerb } from './serve.ts';

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
