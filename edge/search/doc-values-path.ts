/**
 * Doc values at the edge (shared/docvalues): each shard's filter compiled into a doc set, and the
 * stored text of the hits a response shows. Both read through the byte tiers with the request's io, in
 * two planned steps for all shards at once — the heads (ranges from the manifest), then the sections the
 * filter tests or the text blocks the hits sit in — so a cold filtered query adds two reads per shard
 * at most, and a warm one none: decoded heads, compiled doc sets (by version file and filter) and
 * inflated text blocks are kept in one byte-bounded LRU, under immutable keys.
 */
import { compileFilter, neededSections } from '../../shared/docvalues/compile.ts';
import {
  checkedSection,
  type DocValuesHead,
  decodeDocValuesHead,
  sectionRange,
  textBlockOf,
} from '../../shared/docvalues/file.ts';
import { canonicalFilter, type FilterNode } from '../../shared/docvalues/filter.ts';
import { decodeTextBlock } from '../../shared/docvalues/text-blocks.ts';
import type { DocSet } from '../../shared/engine/doc-set.ts';
import type { DocValuesFileEntry, IndexManifest } from '../../shared/index/manifest.ts';
import { ShardFormatError } from '../../shared/shard/errors.ts';
import { ByteLru } from './byte-lru.ts';
import type { ByteTiers, QueryIo } from './byte-tiers.ts';

/** Each shard's outcome: its doc set, or why it could not be had (the shard is then reported failed). */
export type ShardFilter = { readonly set: DocSet } | { readonly error: unknown };

/** A hit whose stored text is wanted: its shard and local doc. */
export interface TextRef {
  readonly shard: number;
  readonly local: number;
}

export class DocValuesPath {
  readonly #decoded: ByteLru<Promise<unknown>>;

  constructor(
    private readonly tiers: ByteTiers,
    maxBytes: number,
  ) {
    this.#decoded = new ByteLru(maxBytes);
  }

  get cachedBytes(): number {
    return this.#decoded.bytes;
  }

  /** Loads every shard's doc-values head (what a filtered query or a text read needs first). */
  async warm(manifest: IndexManifest, io: QueryIo): Promise<void> {
    const files = manifest.shards.flatMap((s) => (s.docValues ? [s.docValues] : []));
    if (files.length > 0) await this.#heads(files, io);
  }

  /** Every shard's doc set of `filter` (compiled once per version file and filter, then kept). */
  async filterSets(manifest: IndexManifest, filter: FilterNode, io: QueryIo): Promise<ShardFilter[]> {
    const text = canonicalFilter(filter);
    const files = manifest.shards.map((s) => s.docValues);
    const ids = files.map((f) => (f ? `set\u0000${f.key}\u0000${text}` : ''));
    const cached = ids.map((id) => this.#decoded.get(id) as Promise<DocSet> | undefined);
    for (const hit of cached) if (hit) io.cost.hit('memory');
    const missing = files.map((_, s) => s).filter((s) => !cached[s]);
    if (missing.length > 0) {
      const compiling = this.#compile(files, missing, filter, io);
      missing.forEach((s, j) => {
        const set = compiling.then((sets) => sets[j]);
        cached[s] = set;
        if (files[s]) this.#keep(ids[s], set, 4 * Math.ceil(manifest.shards[s].numDocs / 32));
      });
    }
    const settled = await Promise.allSettled(cached as Promise<DocSet>[]);
    return settled.map((r) => (r.status === 'fulfilled' ? { set: r.value } : { error: r.reason }));
  }

  /** The stored text of each hit, in order (the blocks of all hits read in one plan). */
  async texts(manifest: IndexManifest, refs: readonly TextRef[], io: QueryIo): Promise<string[]> {
    const shards = [...new Set(refs.map((r) => r.shard))];
    const heads = await this.#heads(
      shards.map((s) => requireFile(manifest, s)),
      io,
    );
    const headOf = new Map(shards.map((s, i) => [s, heads[i]]));
    const blockIds = refs.map((r) => {
      const file = requireFile(manifest, r.shard);
      const block = textBlockOf(headOf.get(r.shard)!, r.local);
      if (block < 0) throw new ShardFormatError(file.key, 'doc values', `no stored text for doc ${r.local}`);
      return { file, head: headOf.get(r.shard)!, block, id: `text\u0000${file.key}\u0000${block}` };
    });
    const unique = [...new Map(blockIds.map((b) => [b.id, b])).values()];
    const loaded = await this.#load(
      unique,
      (b) => b.head.text!.firstSection + b.block,
      (bytes, b) => decodeTextBlock(bytes, b.file.key),
      io,
    );
    const byId = new Map(unique.map((b, i) => [b.id, loaded[i]]));
    return refs.map((r, i) => {
      const b = blockIds[i];
      return byId.get(b.id)![r.local - b.head.text!.firstDocs[b.block]];
    });
  }

  /** Compiles `filter` for shards `which` (heads, then their needed sections, each step one plan). */
  async #compile(
    files: readonly (DocValuesFileEntry | undefined)[],
    which: readonly number[],
    filter: FilterNode,
    io: QueryIo,
  ): Promise<DocSet[]> {
    const entries = which.map((s) => {
      const file = files[s];
      if (!file)
        throw new ShardFormatError(`shard ${s}`, 'doc values', 'the manifest names no doc-values file');
      return file;
    });
    const heads = await this.#heads(entries, io);
    const wanted = entries.flatMap((file, j) =>
      neededSections(filter, heads[j], file.key).map((section) => ({ file, j, section })),
    );
    const ranges = wanted.map((w) => ({
      key: w.file.key,
      ...sectionRange(heads[w.j], w.section, w.file.key),
    }));
    // Kept in the isolate's range cache: another filter on the same field reads the same sections.
    const bytes = await this.tiers.read(ranges, io);
    const sections = entries.map(() => new Map<number, Uint8Array>());
    wanted.forEach((w, i) => {
      sections[w.j].set(w.section, checkedSection(bytes[i], ranges[i], w.file.key));
    });
    return entries.map((file, j) => compileFilter(filter, heads[j], (i) => sections[j].get(i)!, file.key));
  }

  /** Decoded heads of `files` (read together when not in the isolate). */
  #heads(files: readonly DocValuesFileEntry[], io: QueryIo): Promise<DocValuesHead[]> {
    return this.#load(
      files.map((file) => ({ file, id: `head\u0000${file.key}` })),
      () => -1,
      (bytes, { file }) => decodeDocValuesHead(bytes, file.head.crc, file.key),
      io,
    );
  }

  /**
   * Items by id from the isolate, or read (one plan for all missing), checked and decoded. `sectionOf`
   * gives an item's section in its file's head, -1 for the head itself.
   */
  async #load<T extends { id: string; file: DocValuesFileEntry }, V>(
    items: readonly T[],
    sectionOf: (item: T) => number,
    decode: (bytes: Uint8Array, item: T) => V | Promise<V>,
    io: QueryIo,
  ): Promise<V[]> {
    const out = items.map((item) => this.#decoded.get(item.id) as Promise<V> | undefined);
    for (const hit of out) if (hit) io.cost.hit('memory');
    const missing = items.map((_, i) => i).filter((i) => !out[i]);
    if (missing.length > 0) {
      const ranges = await Promise.all(
        missing.map(async (i) => {
          const item = items[i];
          const section = sectionOf(item);
          if (section < 0) return { key: item.file.key, ...item.file.head };
          const head = (await this.#heads([item.file], io))[0];
          return { key: item.file.key, ...sectionRange(head, section, item.file.key) };
        }),
      );
      const reading = this.tiers.read(ranges, io, { keep: false });
      missing.forEach((i, j) => {
        const item = items[i];
        const value = reading.then((all) => {
          const bytes = sectionOf(item) < 0 ? all[j] : checkedSection(all[j], ranges[j], item.file.key);
          return decode(bytes, item);
        });
        out[i] = value;
        this.#keep(item.id, value, ranges[j].length * (sectionOf(item) < 0 ? 2 : 4));
      });
    }
    return Promise.all(out as Promise<V>[]);
  }

  /** Keeps a pending value, forgetting it if it fails (the next request tries again). */
  #keep(id: string, value: Promise<unknown>, bytes: number): void {
    this.#decoded.set(id, value, bytes);
    value.catch(() => {
      if (this.#decoded.get(id) === value) this.#decoded.delete(id);
    });
  }
}

function requireFile(manifest: IndexManifest, shard: number): DocValuesFileEntry {
  const file = manifest.shards[shard].docValues;
  if (!file) {
    throw new ShardFormatError(
      manifest.shards[shard].key,
      'doc values',
      'the manifest names no doc-values file',
    );
  }
  return file;
}
