/**
 * Prometheus metrics of the Node entry (GET /metrics, prom-client): request latency by route, method and
 * status; store reads and bytes; cache hits per tier and the hit ratio (hits over hits plus store
 * reads); the version each index is served at; and the process's own metrics. Fed by the app's request
 * records (http/request-log.ts), so they count exactly what the log lines say. Routes are labelled by
 * pattern (/v1/indexes/:index/search), so label sets stay bounded whatever paths clients send. Workers
 * have no scrape endpoint: there the log lines are the record (Workers Logs / Logpush).
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { MetricsEndpoint } from './app.ts';
import type { FinishedRequest } from './http/request-log.ts';

export interface NodeMetrics {
  readonly endpoint: MetricsEndpoint;
  observe(request: FinishedRequest): void;
}

export function nodeMetrics(): NodeMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'csplade_' });
  const latency = new Histogram({
    name: 'csplade_http_request_duration_seconds',
    help: 'Request latency by route pattern, method and status',
    labelNames: ['route', 'method', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const storeReads = new Counter({
    name: 'csplade_store_reads_total',
    help: 'Object store requests made by searches (a Worker would count them as subrequests)',
    registers: [registry],
  });
  const storeBytes = new Counter({
    name: 'csplade_store_read_bytes_total',
    help: 'Bytes read from the object store by searches',
    registers: [registry],
  });
  const cacheHits = new Counter({
    name: 'csplade_cache_hits_total',
    help: 'Reads answered by a cache instead of the store, by tier (memory: the process; shared: a shared cache)',
    labelNames: ['tier'],
    registers: [registry],
  });
  const totals = { hits: 0, reads: 0 };
  new Gauge({
    name: 'csplade_cache_hit_ratio',
    help: 'Cache hits over cache hits plus store reads, since start',
    registers: [registry],
    collect() {
      const all = totals.hits + totals.reads;
      this.set(all === 0 ? 0 : totals.hits / all);
    },
  });
  const served = new Gauge({
    name: 'csplade_index_version_served',
    help: 'The version each index was last served at (1 for that version)',
    labelNames: ['index', 'version'],
    registers: [registry],
  });
  const versions = new Map<string, string>();
  return {
    endpoint: { contentType: registry.contentType, render: () => registry.metrics() },
    observe(r) {
      latency.observe({ route: r.route, method: r.method, status: String(r.status) }, r.latencyMs / 1000);
      if (r.cost) {
        const { memory, shared } = r.cost.cacheHitsByTier;
        storeReads.inc(r.cost.subrequests);
        storeBytes.inc(r.cost.bytes);
        cacheHits.inc({ tier: 'memory' }, memory);
        cacheHits.inc({ tier: 'shared' }, shared);
        totals.hits += memory + shared;
        totals.reads += r.cost.subrequests;
      }
      if (r.index !== undefined && r.version !== undefined && versions.get(r.index) !== r.version) {
        const before = versions.get(r.index);
        if (before !== undefined) served.remove({ index: r.index, version: before });
        versions.set(r.index, r.version);
        served.set({ index: r.index, version: r.version }, 1);
      }
    },
  };
}
