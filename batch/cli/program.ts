/**
 * Turns verb declarations (verb.ts) into one commander program: a command per verb (nested verbs such as
 * "model prepare" under a parent "model" command), help generated per verb, `help <verb>`, `--version`,
 * "did you mean" suggestions for mistyped verbs and flags, environment fallbacks read from the CLI
 * context (so tests and callers can pass their own), and one error policy:
 *   usage mistakes (commander's, UsageError) → message + pointer to the verb's help, exit 2;
 *   CspladeError (what csplade raises on purpose) → "csplade <verb>: message [code]", exit 1;
 *   anything else is a bug and propagates with its stack.
 * Output goes to the context's streams, never straight to process.stdout, and nothing calls process.exit.
 */
import { Command, CommanderError, Option } from 'commander';
import { CspladeError } from '../../shared/errors.ts';
import { type CliContext, type OptionSpec, UsageError, type Verb } from './verb.ts';

export interface ProgramSpec {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly verbs: readonly Verb[];
  /** One-line summaries of the parent commands of nested verbs ("model" → "ONNX model tools"). */
  readonly groups: Readonly<Record<string, string>>;
  /** Printed after the top-level command list. */
  readonly epilog?: string;
}

/** Parses `argv` (without node and script) and runs the verb it names; resolves to the exit code. */
export async function runProgram(
  spec: ProgramSpec,
  argv: readonly string[],
  ctx: CliContext,
): Promise<number> {
  const state = { code: 0 };
  const program = buildProgram(spec, ctx, state);
  if (argv.length === 0) {
    ctx.stderr.write(program.helpInformation());
    return 2;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return state.code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
}

function buildProgram(spec: ProgramSpec, ctx: CliContext, state: { code: number }): Command {
  const output = {
    writeOut: (text: string) => ctx.stdout.write(text),
    writeErr: (text: string) => ctx.stderr.write(text),
    getOutHelpWidth: () => 100,
    getErrHelpWidth: () => 100,
  };
  const configure = (command: Command) =>
    command
      .configureOutput(output)
      .exitOverride()
      .showSuggestionAfterError(true)
      .showHelpAfterError(`(run \`${commandPath(command)} --help\` for usage)`);
  const program = configure(new Command(spec.name))
    .description(spec.description)
    .version(spec.version, '-V, --version', 'print the version')
    // Options after a verb belong to the verb: `csplade verify --version v3` is verify's flag, not the program's.
    .enablePositionalOptions()
    .helpOption('-h, --help', 'print help')
    .helpCommand('help [verb]', 'print the help of a verb');
  if (spec.epilog) program.addHelpText('after', `\n${spec.epilog}`);

  const parents = new Map<string, Command>();
  for (const verb of spec.verbs) {
    const words = verb.name.split(' ');
    let parent = program;
    for (let i = 0; i < words.length - 1; i++) {
      const path = words.slice(0, i + 1).join(' ');
      let group = parents.get(path);
      if (!group) {
        group = configure(parent.command(words[i]))
          .description(spec.groups[path] ?? '')
          .helpCommand('help [verb]', 'print the help of a verb');
        parents.set(path, group);
      }
      parent = group;
    }
    const command = configure(parent.command(words.at(-1)!)).summary(verb.summary);
    // Single line breaks in a description only shorten source lines; commander wraps to the terminal.
    const description = verb.description?.replace(/(?<!\n)\n(?!\n)/g, ' ');
    command.description(description ? `${verb.summary}\n\n${description}` : verb.summary);
    for (const argument of verb.arguments ?? []) command.argument(argument.name, argument.description);
    for (const option of verb.options ?? []) command.addOption(toOption(option));
    if (verb.examples?.length)
      command.addHelpText('after', `\nExamples:\n${verb.examples.map((e) => `  $ ${e}`).join('\n')}`);
    command.action(async (...received: unknown[]) => {
      const args = received.slice(0, verb.arguments?.length ?? 0) as string[];
      state.code = await runVerb(verb, command, ctx, () => ({
        options: withEnvironment(command, verb.options ?? [], ctx),
        args,
      }));
    });
  }
  return program;
}

function toOption(spec: OptionSpec): Option {
  const option = new Option(spec.flags, spec.description);
  if (spec.choices) option.choices(spec.choices);
  if (spec.parse) option.argParser(spec.parse);
  if (spec.default !== undefined) option.default(spec.default, spec.defaultHelp);
  else if (spec.defaultHelp) option.default(undefined, spec.defaultHelp);
  if (spec.env) option.description += ` [env: ${spec.env}]`;
  // Required flags without an environment fallback are checked by commander, before the action.
  if (spec.required && !spec.env) option.makeOptionMandatory();
  return option;
}

/** Option values with environment fallbacks applied (from ctx.env), parsed like the flag would be. */
function withEnvironment(command: Command, specs: readonly OptionSpec[], ctx: CliContext) {
  const values = { ...command.opts() } as Record<string, unknown>;
  for (const spec of specs) {
    if (!spec.env) continue;
    const option = command.options.find((o) => o.flags === spec.flags)!;
    const key = option.attributeName();
    const fromFlag = command.getOptionValueSource(key) === 'cli';
    const raw = ctx.env[spec.env];
    if (!fromFlag && raw !== undefined && raw !== '') {
      try {
        values[key] = spec.parse ? spec.parse(raw) : raw;
      } catch (error) {
        throw new UsageError(`$${spec.env} (for ${option.long}) ${(error as Error).message}: "${raw}"`);
      }
    }
    if (spec.required && values[key] === undefined)
      throw new UsageError(`required option '${option.flags}' not specified (nor $${spec.env})`);
  }
  return values;
}

async function runVerb(
  verb: Verb,
  command: Command,
  ctx: CliContext,
  input: () => Parameters<Verb['run']>[0],
): Promise<number> {
  const name = `csplade ${verb.name}`;
  try {
    return (await verb.run(input(), ctx)) ?? 0;
  } catch (error) {
    if (error instanceof UsageError) {
      ctx.stderr.write(`${name}: ${error.message}\n(run \`${commandPath(command)} --help\` for usage)\n`);
      return 2;
    }
    if (error instanceof CspladeError) {
      ctx.stderr.write(`${name}: ${error.message} [${error.code}]\n`);
      return 1;
    }
    throw error;
  }
}

function commandPath(command: Command): string {
  const words: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) words.unshift(c.name());
  return words.join(' ');
}
