/**
 * The Cloudflare side of a deployment, declared as data: per environment, the R2 bucket that holds the
 * indexes (with its lifecycle rules), the API token the batch job writes with (scoped to that one bucket),
 * and the Worker that serves it (deployed by wrangler from `wrangler.jsonc`, whose env sections must agree
 * with this plan — a test checks they do).
 *
 * Why data + a small applier instead of Pulumi: @pulumi/pulumi needs Node ≥ 22 (we run 20), and wrangler
 * already owns the Worker. The applier (`apply.ts`) turns this plan into Cloudflare API calls; `--dry-run`
 * prints them, which is how the tests verify it offline.
 *
 * Lifecycle: R2 rules select objects by key prefix and age only, so they cannot tell the live version from an
 * old one under `indexes/<name>/versions/` — an age rule there would delete the live index if reindexing
 * stopped for a while. Old versions are therefore removed by `csplade gc` (run by every publish, it knows
 * CURRENT); the rules below remove what nobody will ever read again: abandoned runs, stale cache
 * entries and incomplete multipart uploads.
 */
export type EnvironmentName = 'staging' | 'production';

export interface CloudflareConfig {
  readonly accountId: string;
  /** Index names served from the buckets (each gets a rule for its abandoned build runs). */
  readonly indexes: readonly string[];
  readonly environments: Record<
    EnvironmentName,
    { readonly bucket: string; readonly workerName: string; readonly routes: readonly string[] }
  >;
  /** Days after which an abandoned build run (`indexes/<index>/runs/`) is deleted. */
  readonly runRetentionDays: number;
  /** Days after which an encoding-cache entry (`cache/`) is deleted (a reindex then re-encodes it once). */
  readonly cacheRetentionDays: number;
}

export interface LifecycleRule {
  readonly id: string;
  readonly enabled: boolean;
  readonly conditions: { readonly prefix: string };
  readonly deleteObjectsTransition?: {
    readonly condition: { readonly type: 'Age'; readonly maxAge: number };
  };
  readonly abortMultipartUploadsTransition?: {
    readonly condition: { readonly type: 'Age'; readonly maxAge: number };
  };
}

export interface R2BucketResource {
  readonly kind: 'r2-bucket';
  readonly environment: EnvironmentName;
  readonly name: string;
  readonly lifecycle: readonly LifecycleRule[];
}

export interface ApiTokenResource {
  readonly kind: 'api-token';
  readonly environment: EnvironmentName;
  readonly name: string;
  /** Cloudflare token policies: permission group names and the resources they apply to. */
  readonly policies: readonly {
    effect: 'allow';
    permissionGroups: readonly string[];
    resources: Record<string, '*'>;
  }[];
}

export interface WorkerResource {
  readonly kind: 'worker';
  readonly environment: EnvironmentName;
  readonly name: string;
  readonly routes: readonly string[];
  /** The Worker reaches the bucket through its binding only: it holds no API token. */
  readonly r2Bindings: readonly { binding: string; bucket: string }[];
}

export type CloudflareResource = R2BucketResource | ApiTokenResource | WorkerResource;

const DAY = 86_400;

/** The binding name edge/worker.ts reads (wrangler.jsonc). */
export const R2_BUCKET_BINDING = 'BUCKET';

export function lifecycleRules(config: CloudflareConfig): LifecycleRule[] {
  return [
    {
      id: 'incomplete-multipart-uploads',
      enabled: true,
      conditions: { prefix: '' },
      abortMultipartUploadsTransition: { condition: { type: 'Age', maxAge: DAY } },
    },
    ...config.indexes.map(
      (index): LifecycleRule => ({
        id: `abandoned-runs-${index}`,
        enabled: true,
        conditions: { prefix: `indexes/${index}/runs/` },
        deleteObjectsTransition: { condition: { type: 'Age', maxAge: config.runRetentionDays * DAY } },
      }),
    ),
    {
      id: 'stale-encoding-cache',
      enabled: true,
      conditions: { prefix: 'cache/' },
      deleteObjectsTransition: { condition: { type: 'Age', maxAge: config.cacheRetentionDays * DAY } },
    },
  ];
}

export function cloudflarePlan(config: CloudflareConfig): CloudflareResource[] {
  const resources: CloudflareResource[] = [];
  for (const environment of ['staging', 'production'] as const) {
    const env = config.environments[environment];
    resources.push({ kind: 'r2-bucket', environment, name: env.bucket, lifecycle: lifecycleRules(config) });
    resources.push({
      kind: 'api-token',
      environment,
      name: `csplade-batch-writer-${environment}`,
      policies: [
        {
          effect: 'allow',
          permissionGroups: ['Workers R2 Storage Bucket Item Write'],
          // The finest grain R2 tokens allow: one bucket of one account. The index bucket holds nothing else.
          resources: { [`com.cloudflare.edge.r2.bucket.${config.accountId}_default_${env.bucket}`]: '*' },
        },
      ],
    });
    resources.push({
      kind: 'worker',
      environment,
      name: env.workerName,
      routes: env.routes,
      r2Bindings: [{ binding: R2_BUCKET_BINDING, bucket: env.bucket }],
    });
  }
  return resources;
}

export const exampleCloudflareConfig: CloudflareConfig = {
  accountId: '0123456789abcdef0123456789abcdef',
  indexes: ['main'],
  environments: {
    staging: { bucket: 'csplade-indexes-staging', workerName: 'csplade-edge-staging', routes: [] },
    production: {
      bucket: 'csplade-indexes',
      workerName: 'csplade-edge',
      routes: ['search.example.com/v1/*'],
    },
  },
  runRetentionDays: 7,
  cacheRetentionDays: 90,
};
