/**
 * Where an index lives in an object store. One place for key names, so batch, edge, gc and infra
 * (lifecycle rules match these prefixes) agree:
 *
 *   indexes/<index>/CURRENT                              JSON CurrentPointer, moved by conditional write
 *   indexes/<index>/versions/<version>/manifest.msgpack  immutable IndexManifest
 *   indexes/<index>/versions/<version>/shard-<i>.csp     immutable shard files
 *   indexes/<index>/versions/<version>/shard-<i>.approx  approximate-search file of shard i
 *   indexes/<index>/versions/<version>/shard-<i>.docvalues  filterable fields and stored text of shard i
 *   indexes/<index>/versions/<version>/routing.bin       every shard's approximate head, concatenated
 *   indexes/<index>/versions/<version>/assets/<name>     query-side assets (BM25 stats, weight table, model)
 *   indexes/<index>/runs/<run>/…                         work in progress of one build (parts of N workers)
 *   indexes/<index>/gc-ledger.json                       when gc first saw each unreferenced run (JSON)
 *   cache/<encoder fingerprint>/…                        encoding cache, shared by all indexes
 *   gc/cache-ledger.json                                 when gc first saw each unused cache fingerprint
 */
const INDEX_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export function isValidIndexName(name: string): boolean {
  return INDEX_NAME.test(name);
}

export const indexPrefix = (index: string) => `indexes/${index}/`;
export const currentKey = (index: string) => `indexes/${index}/CURRENT`;
export const versionPrefix = (index: string, version: string) => `indexes/${index}/versions/${version}/`;
export const manifestKey = (index: string, version: string) =>
  `${versionPrefix(index, version)}manifest.msgpack`;
export const shardKey = (index: string, version: string, shard: number) =>
  `${versionPrefix(index, version)}shard-${String(shard).padStart(4, '0')}.csp`;
export const approximateKey = (index: string, version: string, shard: number) =>
  `${versionPrefix(index, version)}shard-${String(shard).padStart(4, '0')}.approx`;
export const docValuesKey = (index: string, version: string, shard: number) =>
  `${versionPrefix(index, version)}shard-${String(shard).padStart(4, '0')}.docvalues`;
export const routingKey = (index: string, version: string) => `${versionPrefix(index, version)}routing.bin`;
export const assetKey = (index: string, version: string, name: string) =>
  `${versionPrefix(index, version)}assets/${name}`;
export const runPrefix = (index: string, run: string) => `indexes/${index}/runs/${run}/`;
export const runsPrefix = (index: string) => `indexes/${index}/runs/`;
export const cachePrefix = (fingerprint: string) => `cache/${fingerprint}/`;
export const CACHE_ROOT = 'cache/';
export const gcLedgerKey = (index: string) => `indexes/${index}/gc-ledger.json`;
export const CACHE_GC_LEDGER_KEY = 'gc/cache-ledger.json';
