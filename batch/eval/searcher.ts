/**
 * The seam between evaluation and a search backend: text query in, scored document ids out. Two
 * implementations: the edge API over HTTP (`http-searcher.ts`, the real end-to-end path) and the
 * published index opened in-process (`compose/eval/in-process-searcher.ts`, which runs the edge's app). Evaluation never sees which one
 * answered, so the same queries, run file and metrics serve both.
 */
import type { ScoredDoc } from '../../shared/eval/types.ts';

export interface Searcher {
  /** For reports, e.g. "http://127.0.0.1:8787 index scifact" or "in-process ./store index scifact". */
  readonly description: string;
  search(query: string, k: number): Promise<ScoredDoc[]>;
  close?(): Promise<void>;
}
