/**
 * The build's doc-values files: for each shard, when the index declares filterable fields or stores text,
 * a `shard-NNNN.docvalues` beside it (shared/docvalues/file.ts) built from the shard's documents in their
 * placed order — metadata for the filter structures, the text the run kept (--store-text) for stored
 * text. Values of a declared field that have another type are left out and counted per field in the
 * version's stats, so a corpus with a stray "year": "n/a" is indexed and reported, not refused.
 */
import { buildDocValuesFile } from '../../shared/docvalues/file.ts';
import type { FilterableSchema } from '../../shared/docvalues/schema.ts';
import { docValuesKey } from '../../shared/index/layout.ts';
import type { DocValuesFileEntry } from '../../shared/index/manifest.ts';
import { checksumHex } from '../../shared/index/shard-entry.ts';
import { crc32 } from '../../shared/shard/checksum.ts';
import type { StoredFields } from '../../shared/shard/stored-fields.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';

export interface DocValuesPlan {
  readonly filterable: FilterableSchema;
  readonly storeText: boolean;
}

/** Per field: documents with a value and documents whose value had another type, over all shards. */
export type FilterFieldStats = Record<string, { type: string; documents: number; ignored: number }>;

export function wantsDocValues(plan: DocValuesPlan): boolean {
  return plan.storeText || Object.keys(plan.filterable).length > 0;
}

/** Writes shard `shard`'s doc-values file; adds its per-field counts to `stats`. */
export async function writeDocValues(
  store: ObjectStore,
  index: string,
  version: string,
  shard: number,
  fields: readonly (StoredFields | undefined)[],
  plan: DocValuesPlan,
  stats: FilterFieldStats,
): Promise<DocValuesFileEntry> {
  const built = await buildDocValuesFile({
    metadata: fields.map((f) => f?.metadata),
    schema: plan.filterable,
    ...(plan.storeText ? { texts: fields.map((f) => f?.text) } : {}),
  });
  for (const field of built.fields) {
    const seen = stats[field.name] ?? { type: field.type, documents: 0, ignored: 0 };
    seen.documents += field.count;
    seen.ignored += field.ignored;
    stats[field.name] = seen;
  }
  const key = docValuesKey(index, version, shard);
  await store.put(key, built.bytes, { contentType: 'application/octet-stream' });
  return { key, size: built.bytes.length, checksum: checksumHex(crc32(built.bytes)), head: built.head };
}
