/**
 * One thing wrong with a published version, as `verify` reports it: the object it is about and what kind
 * of wrong. Its own module because both the version check (verify-version.ts) and the doc-values check it
 * runs (verify-doc-values.ts) produce them.
 */

export type ProblemKind = 'missing' | 'corrupt' | 'mismatch' | 'unreadable';

export interface VersionProblem {
  /** The object key the problem is about. */
  readonly key: string;
  readonly kind: ProblemKind;
  readonly detail: string;
}
