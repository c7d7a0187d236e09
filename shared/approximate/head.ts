/**
 * The head of a shard's approximate file: what a query needs before it reads any document — the
 * cluster directory (where each cluster's forward record is, its length and CRC) and the routing
 * summaries (each cluster's strongest terms with their largest impact). `ApproxHead` is the parsed form;
 * `RoutingIndex` (routing.ts) inverts the summaries of every shard into one term-major table.
 */
import { ShardFormatError } from '../shard/errors.ts';
import { type ApproxHeader, decodeSections, u16s, u32s } from './format.ts';

export const CLUSTER_DIRECTORY = 'clusters.directory';
export const ROUTING_COUNTS = 'routing.counts';
export const ROUTING_TERMS = 'routing.terms';
export const ROUTING_MAXES = 'routing.maxes';

export interface ApproxHead {
  readonly header: ApproxHeader;
  /** Per cluster: [offset in the forward region, length, CRC-32] of its record. */
  readonly directory: Uint32Array;
  /** Routing summary entries per cluster (cluster c's are the next counts[c] entries). */
  readonly counts: Uint16Array;
  readonly terms: Uint16Array | Uint32Array;
  readonly maxes: Uint8Array;
}

/** Parses a head whose CRC the caller has checked. `where` names the file for errors. */
export function decodeApproxHead(bytes: Uint8Array, where: string): ApproxHead {
  const { header, section } = decodeSections(bytes, where);
  const fail = (detail: string): never => {
    throw new ShardFormatError(where, 'approximate head', detail);
  };
  const { numClusters, numDocs, settings } = header;
  if (!(Number.isInteger(numDocs) && numDocs >= 0)) fail(`numDocs ${numDocs}`);
  if (numClusters !== Math.ceil(numDocs / settings.clusterSize))
    fail(`${numClusters} clusters for ${numDocs} docs`);
  const directory = u32s(section(CLUSTER_DIRECTORY));
  const counts = u16s(section(ROUTING_COUNTS));
  const maxes = section(ROUTING_MAXES);
  const termBytes = section(ROUTING_TERMS);
  const terms = header.wideTerms ? u32s(termBytes) : u16s(termBytes);
  if (directory.length !== 3 * numClusters)
    fail(`cluster directory has ${directory.length / 3} entries for ${numClusters} clusters`);
  if (counts.length !== numClusters)
    fail(`routing counts for ${counts.length} clusters, expected ${numClusters}`);
  let entries = 0;
  for (let c = 0; c < numClusters; c++) entries += counts[c];
  if (terms.length !== entries || maxes.length !== entries)
    fail(`routing has ${entries} entries but ${terms.length} terms, ${maxes.length} maxima`);
  let end = 0;
  for (let c = 0; c < numClusters; c++) {
    if (directory[3 * c] !== end) fail(`cluster ${c} record starts at ${directory[3 * c]}, expected ${end}`);
    end += directory[3 * c + 1];
  }
  if (end !== header.forward.length)
    fail(`cluster records end at ${end}, the forward region at ${header.forward.length}`);
  return { header, directory, counts, terms, maxes };
}

/** Byte range of cluster `c`'s record inside the approximate file, and its CRC. */
export function clusterRange(head: ApproxHead, c: number): { offset: number; length: number; crc: number } {
  return {
    offset: head.header.forward.offset + head.directory[3 * c],
    length: head.directory[3 * c + 1],
    crc: head.directory[3 * c + 2],
  };
}
