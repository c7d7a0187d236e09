/**
 * What a response shows of each hit besides id and score, read only for the hits of the page returned:
 * stored fields (title, url, metadata: the shard's records), stored text (the doc-values file's text
 * blocks), a snippet (from the text and the hit's explanation) and the explanation itself. Fields and
 * text of all hits are read in parallel, each with one plan over all shards; a shard whose records or
 * text cannot be read is reported and its hits are left out (partial results, never wrong ones).
 */
import type { IndexManifest } from '../../shared/index/manifest.ts';
import type { QueryIo } from './byte-tiers.ts';
import type { DocValuesPath } from './doc-values-path.ts';
import type { FailedShard } from './exact-path.ts';
import type { ExplainTerm } from './explain.ts';
import type { StoredFieldName } from './search-params.ts';
import type { ShardPool } from './shard-pool.ts';
import { makeSnippets, type Snippet, type WordTerms } from './snippets.ts';

export interface Hit {
  readonly id: string;
  readonly score: number;
  fields?: Record<string, unknown>;
  snippet?: Snippet;
  explain?: ExplainTerm[];
}

/** A hit before its details: where it lives and how to explain it. */
export interface Located {
  readonly hit: Hit;
  readonly shard: number;
  readonly local: number;
  readonly explain: () => ExplainTerm[];
}

export interface DetailRequest {
  readonly fields: readonly StoredFieldName[];
  readonly snippet: boolean;
  readonly explain: boolean;
}

const RECORD_FIELDS = new Set<string>(['title', 'url', 'metadata']);

export class HitDetails {
  constructor(
    private readonly shards: ShardPool,
    private readonly docValues: DocValuesPath,
    private readonly failure: (entry: IndexManifest['shards'][number], error: unknown) => FailedShard,
  ) {}

  /** Fills in the details `request` asks for; returns the hits kept and the shards that failed. */
  async attach(
    manifest: IndexManifest,
    located: readonly Located[],
    request: DetailRequest,
    io: QueryIo,
    termsOf: WordTerms,
  ): Promise<{ kept: Located[]; failed: FailedShard[] }> {
    const recordFields = request.fields.filter((f) => RECORD_FIELDS.has(f));
    const wantsText = request.fields.includes('text') || request.snippet;
    const [lostRecords, textOutcome] = await Promise.all([
      recordFields.length > 0 ? this.#records(manifest, located, recordFields, io) : [],
      wantsText ? this.#texts(manifest, located, io) : undefined,
    ]);
    const failed = [...lostRecords, ...(textOutcome?.failed ?? [])];
    const lost = new Set(failed.map((f) => f.shard));
    const kept = located.filter((l) => !lost.has(manifest.shards[l.shard].key));
    for (const l of kept) {
      if (request.fields.length > 0) l.hit.fields ??= {};
      if (request.fields.includes('text')) l.hit.fields!.text = textOutcome!.texts.get(l)!;
    }
    const explanations = new Map(kept.map((l) => [l, request.explain || request.snippet ? l.explain() : []]));
    if (request.snippet) {
      const snippets = await makeSnippets(
        kept.map((l) => ({ text: textOutcome!.texts.get(l)!, explain: explanations.get(l)! })),
        termsOf,
      );
      kept.forEach((l, i) => {
        l.hit.snippet = snippets[i];
      });
    }
    if (request.explain) for (const l of kept) l.hit.explain = explanations.get(l);
    return { kept, failed };
  }

  /** Stored records of the hits (title, url, metadata); the shards whose records could not be read. */
  async #records(
    manifest: IndexManifest,
    located: readonly Located[],
    fields: readonly string[],
    io: QueryIo,
  ): Promise<FailedShard[]> {
    const byShard = new Map<number, Located[]>();
    for (const l of located) byShard.set(l.shard, [...(byShard.get(l.shard) ?? []), l]);
    const lost: FailedShard[] = [];
    await Promise.all(
      [...byShard].map(async ([shard, list]) => {
        const entry = manifest.shards[shard];
        try {
          const reader = await this.shards.open(entry, io);
          if (!reader.hasStoredFields) {
            for (const l of list) l.hit.fields = {};
            return;
          }
          const docs = await this.shards.storedFields(
            entry,
            reader,
            list.map((l) => l.local),
            io,
          );
          list.forEach((l, i) => {
            const record = docs[i] as unknown as Record<string, unknown>;
            const picked: Record<string, unknown> = {};
            for (const f of fields) if (record[f] !== undefined) picked[f] = record[f];
            l.hit.fields = picked;
          });
        } catch (error) {
          lost.push(this.failure(entry, error));
        }
      }),
    );
    return lost;
  }

  /** The stored text of every hit; on failure, every shard of the hits is reported (one plan read them). */
  async #texts(
    manifest: IndexManifest,
    located: readonly Located[],
    io: QueryIo,
  ): Promise<{ texts: Map<Located, string>; failed: FailedShard[] }> {
    try {
      const texts = await this.docValues.texts(manifest, located, io);
      return { texts: new Map(located.map((l, i) => [l, texts[i]])), failed: [] };
    } catch (error) {
      const shards = [...new Set(located.map((l) => l.shard))];
      return { texts: new Map(), failed: shards.map((s) => this.failure(manifest.shards[s], error)) };
    }
  }
}
