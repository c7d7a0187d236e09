/**
 * Which versions the edge serves: the CURRENT pointer of each index, read at most once per TTL (an
 * injected clock decides), and the immutable manifests of versions, kept for as long as the isolate
 * lives. A request resolves its version once, at its start, and uses that manifest to the end, so a
 * publish that moves CURRENT in the middle of a request cannot mix two versions in one answer.
 * A CURRENT that cannot be followed (garbage, or naming a version or manifest that cannot be read) is the
 * service's fault, not the request's: `index_unavailable`, whatever a pinned version would answer.
 */

import { currentKey, isValidIndexName, manifestKey } from '../../shared/index/layout.ts';
import type { CurrentPointer, IndexManifest } from '../../shared/index/manifest.ts';
import { decodeCurrentPointer, decodeManifest } from '../../shared/index/manifest-codec.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { ByteLru } from './byte-lru.ts';
import {
  IndexUnavailableError,
  InvalidSearchFieldError,
  isStoreFailure,
  SearchTargetNotFoundError,
} from './errors.ts';

export interface CatalogOptions {
  /** How long a CURRENT pointer is trusted before it is read again (ms). */
  readonly currentTtlMs: number;
  /** Milliseconds since an arbitrary epoch; injected so tests control expiry. */
  readonly now: () => number;
  /** Bound on the bytes of decoded manifests kept (their encoded size is the estimate). */
  readonly maxManifestBytes?: number;
}

/** One served index as listed by GET /v1/indexes. */
export interface IndexSummary {
  readonly name: string;
  readonly version: string;
  readonly updatedAt: string;
}

export class IndexCatalog {
  readonly #current = new Map<string, { pointer: CurrentPointer; fetchedAt: number }>();
  readonly #manifests: ByteLru<IndexManifest>;
  #listing: { indexes: IndexSummary[]; fetchedAt: number } | undefined;
  /** Reads in progress (CURRENT, manifests), so concurrent requests of the isolate share one read. */
  readonly #inFlight = new Map<string, Promise<unknown>>();

  constructor(private readonly options: CatalogOptions) {
    this.#manifests = new ByteLru(options.maxManifestBytes ?? 8 * 1024 * 1024);
  }

  /**
   * The manifest a request should use: the pinned `version`, or CURRENT's. `store` is the request's
   * metered store, so the reads it costs (if any) appear in the request's cost report.
   */
  async resolve(
    store: ObjectStore,
    index: string,
    version?: string,
    /** Told the version as soon as it is known, before its manifest is read (to start reads in parallel). */
    onVersion?: (version: string) => void,
  ): Promise<IndexManifest> {
    if (!isValidIndexName(index)) {
      throw new InvalidSearchFieldError(
        'index',
        `"${index}" is not a valid index name (lowercase letters, digits, ".", "_", "-")`,
      );
    }
    if (version === undefined) {
      const pointer = await this.current(store, index);
      onVersion?.(pointer.version);
      try {
        return await this.manifest(store, index, pointer.version, pointer.manifestKey);
      } catch (error) {
        throw unservable(index, pointer, error);
      }
    }
    onVersion?.(version);
    return this.manifest(store, index, version, manifestKey(index, version));
  }

  /** The manifest of `index` `version` if this isolate has it decoded (no read). */
  cachedManifest(index: string, version: string): IndexManifest | undefined {
    return this.#manifests.get(manifestKey(index, version));
  }

  /** CURRENT of `index`, from the TTL cache when fresh; `unknown_index` when the index has none. */
  async current(store: ObjectStore, index: string): Promise<CurrentPointer> {
    const cached = this.#current.get(index);
    const now = this.options.now();
    if (cached && now - cached.fetchedAt < this.options.currentTtlMs) return cached.pointer;
    return this.#once(`current\u0000${index}`, () => this.#readCurrent(store, index, now));
  }

  async #readCurrent(store: ObjectStore, index: string, now: number): Promise<CurrentPointer> {
    const object = await store.get(currentKey(index));
    if (!object) {
      this.#current.delete(index);
      throw new SearchTargetNotFoundError(
        'unknown_index',
        `index "${index}" does not exist (no ${currentKey(index)})`,
        'index',
      );
    }
    let pointer: CurrentPointer;
    try {
      pointer = decodeCurrentPointer(object.bytes, currentKey(index));
    } catch (cause) {
      throw new IndexUnavailableError(
        'index_unavailable',
        `index "${index}" is unavailable: ${(cause as Error).message}`,
        { cause },
      );
    }
    this.#current.set(index, { pointer, fetchedAt: now });
    return pointer;
  }

  /** Every index with a CURRENT pointer under `indexes/` (the listing is trusted for the CURRENT TTL). */
  async list(store: ObjectStore): Promise<IndexSummary[]> {
    const now = this.options.now();
    if (this.#listing && now - this.#listing.fetchedAt < this.options.currentTtlMs)
      return this.#listing.indexes;
    const indexes = await this.#listIndexes(store);
    this.#listing = { indexes, fetchedAt: now };
    return indexes;
  }

  async #listIndexes(store: ObjectStore): Promise<IndexSummary[]> {
    // One short delimiter listing (index folders), not every version's every file.
    const names = (await store.listPrefixes('indexes/'))
      .map((prefix) => prefix.slice('indexes/'.length, -1))
      .filter(isValidIndexName);
    const pointers = await Promise.all(names.map((name) => this.current(store, name).catch(() => null)));
    return names.flatMap((name, i) => {
      const p = pointers[i];
      return p ? [{ name, version: p.version, updatedAt: p.updatedAt }] : [];
    });
  }

  private async manifest(
    store: ObjectStore,
    index: string,
    version: string,
    key: string,
  ): Promise<IndexManifest> {
    const cached = this.#manifests.get(key);
    if (cached) return cached;
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(version)) {
      throw new InvalidSearchFieldError('version', `"${version}" is not a valid version id`);
    }
    return this.#once(`manifest\u0000${key}`, () => this.#readManifest(store, index, version, key));
  }

  /** Runs `load` unless a concurrent request is running it for `id` already; then waits for that one. */
  #once<T>(id: string, load: () => Promise<T>): Promise<T> {
    const pending = this.#inFlight.get(id) as Promise<T> | undefined;
    if (pending) return pending;
    const loading = load().finally(() => this.#inFlight.delete(id));
    this.#inFlight.set(id, loading);
    return loading;
  }

  async #readManifest(
    store: ObjectStore,
    index: string,
    version: string,
    key: string,
  ): Promise<IndexManifest> {
    const object = await store.get(key);
    if (!object) {
      throw new SearchTargetNotFoundError(
        'unknown_version',
        `index "${index}" has no version "${version}"`,
        'version',
      );
    }
    let manifest: IndexManifest;
    try {
      manifest = decodeManifest(object.bytes);
    } catch (cause) {
      throw new IndexUnavailableError(
        'corrupt_manifest',
        `the manifest of ${index} ${version} cannot be read`,
        {
          cause,
        },
      );
    }
    if (manifest.index !== index || manifest.version !== version) {
      throw new IndexUnavailableError(
        'corrupt_manifest',
        `manifest ${key} describes ${manifest.index} ${manifest.version}, not ${index} ${version}`,
      );
    }
    this.#manifests.set(key, manifest, object.bytes.length);
    return manifest;
  }
}

/** Store failures stay store failures; anything else CURRENT led to is `index_unavailable`. */
function unservable(index: string, pointer: CurrentPointer, error: unknown): unknown {
  if (isStoreFailure(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new IndexUnavailableError(
    'index_unavailable',
    `index "${index}" is unavailable: ${currentKey(index)} names version ${JSON.stringify(pointer.version).slice(0, 140)} ` +
      `(${JSON.stringify(pointer.manifestKey).slice(0, 200)}), which cannot be served: ${reason}`,
    { cause: error },
  );
}
