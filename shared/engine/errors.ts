/**
 * Errors of the query engine and the request check every algorithm runs first, so that a
 * malformed request fails with a message naming the problem rather than with wrong scores.
 */
import { CspladeError } from '../errors.ts';
import { docSetWords } from './doc-set.ts';
import type { SearchRequest } from './types.ts';

export class InvalidSearchError extends CspladeError {
  constructor(message: string) {
    super('invalid_search', message);
  }
}

export class UnknownAlgorithmError extends CspladeError {
  constructor(name: string, known: readonly string[]) {
    super('unknown_algorithm', `unknown top-k algorithm '${name}' (known: ${known.join(', ')})`);
  }
}

export function validateSearchRequest(request: SearchRequest): void {
  const { numDocs, k, terms } = request;
  if (!Number.isInteger(numDocs) || numDocs < 0 || numDocs > 0xffffffff) {
    throw new InvalidSearchError(`numDocs must be an integer in 0..2^32-1, got ${numDocs}`);
  }
  if (!Number.isInteger(k) || k < 0)
    throw new InvalidSearchError(`k must be a non-negative integer, got ${k}`);
  if (request.accept && request.accept.length < docSetWords(numDocs)) {
    throw new InvalidSearchError(
      `accept holds ${request.accept.length * 32} docs, the request has ${numDocs}`,
    );
  }
  for (const t of terms) {
    if (!Number.isInteger(t.weight) || t.weight < 1) {
      throw new InvalidSearchError(`term ${t.term}: weight must be a positive integer, got ${t.weight}`);
    }
    if (t.postings.numDocs > numDocs) {
      throw new InvalidSearchError(
        `term ${t.term}: posting list was written for ${t.postings.numDocs} docs, request has ${numDocs}`,
      );
    }
  }
}
