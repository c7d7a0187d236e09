import { describe, expect, it } from 'vitest';
import { encodeAllPostingLists, invertDocuments } from '../../shared/postings/invert.ts';
import { informationFloor } from './information-floor.ts';
import { postingsEntropy } from './postings-entropy.ts';
import { generateCorpus } from './synthetic-corpus.ts';

describe('information floor of the synthetic corpus', () => {
  const corpus = generateCorpus({ docs: 20_000, vocab: 30_522, queries: 1 });
  const inverted = invertDocuments(corpus.documents, corpus.vocab);
  const floor = informationFloor(corpus.model, inverted);

  it('lies below what the shipped codec spends and below the zeroth-order entropies', () => {
    const encoded = encodeAllPostingLists(inverted);
    const postings = inverted.docs.length;
    expect(floor.bytes_per_posting).toBeLessThan(encoded.totalBytes / postings);
    const zeroth = postingsEntropy(inverted);
    // Impacts given the term can only be cheaper than impacts pooled over all terms.
    expect(floor.impact_bits).toBeLessThanOrEqual(zeroth.impacts);
    expect(floor.bits_per_posting).toBeLessThan(zeroth.impacts + zeroth.gaps);
    // Per-list models fit each list better than one pooled model (short lists' empirical entropy
    // even drops below the floor's impact share: describing their distributions is not counted).
    expect(zeroth.impacts_per_list).toBeLessThanOrEqual(zeroth.impacts);
    expect(zeroth.gap_classes_per_list).toBeGreaterThan(floor.membership_bits);
    // What the shipped codec spends on payload alone lies above the per-list code's bound.
    expect((encoded.totalBytes / postings) * 8).toBeGreaterThan(
      zeroth.impacts_per_list + zeroth.gap_classes_per_list,
    );
  });

  it('is not vacuous: membership and impacts both cost several bits per posting', () => {
    expect(floor.impact_bits).toBeGreaterThan(5);
    expect(floor.membership_bits).toBeGreaterThan(2);
    expect(floor.bits_per_posting).toBeCloseTo(floor.membership_bits + floor.impact_bits, 1);
  });
});
