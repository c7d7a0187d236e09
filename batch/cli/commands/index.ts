/**
 * The one list of CLI verbs. Adding a verb = one file + one line here.
 */

import { modelReportCommand } from '../../eval/model-report/command.ts';
import { modelPrepareCommand, modelQuantizeCommand } from '../../model/commands.ts';
import type { Command } from '../command.ts';
import { buildCommand } from './build.ts';
import { encodeCommand } from './encode.ts';
import { evalCommand } from './eval.ts';
import { gcCommand } from './gc.ts';
import { indexCommand } from './index-corpus.ts';
import { publishCommand } from './publish.ts';
import { rollbackCommand } from './rollback.ts';
import { searchCommand } from './search.ts';
import { verifyCommand } from './verify.ts';

export const commands: Command[] = [
  evalCommand,
  modelPrepareCommand,
  modelQuantizeCommand,
  modelReportCommand,
  indexCommand,
  encodeCommand,
  buildCommand,
  publishCommand,
  gcCommand,
  rollbackCommand,
  searchCommand,
  verifyCommand,
];
