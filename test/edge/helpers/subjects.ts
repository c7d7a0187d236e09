/**
 * Words for small topical test corpora: six subjects with their own vocabulary, and common words every
 * document shares — so clusters are about something, as approximate search needs.
 */
export const SUBJECTS: readonly (readonly string[])[] = [
  'whale ocean krill plankton dolphin coral reef tide',
  'volcano lava magma eruption crater ash basalt',
  'violin cello orchestra symphony concerto sonata',
  'compiler parser bytecode register allocation linker',
  'wheat harvest tractor irrigation barley soil',
  'galaxy nebula telescope quasar pulsar orbit',
].map((s) => s.split(' '));

export const COMMON: readonly string[] = 'the of and in a to is was for on with as by at from'.split(' ');
