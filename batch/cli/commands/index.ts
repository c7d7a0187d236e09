/**
 * The one list of CLI verbs. Adding a verb = one file + one line here.
 */
import type { Command } from '../command.ts';
import { evalCommand } from './eval.ts';

export const commands: Command[] = [evalCommand];
