/**
 * What an operator chooses for the reindexing job. One typed object, validated once, so the stack code
 * never guesses: an invalid cron expression or a zero-sized array fails at synth time with a message
 * naming the field instead of at 03:00 in production.
 */
export interface ReindexConfig {
  /** Short name used in resource names, e.g. "csplade-prod". */
  readonly name: string;
  /** Index to (re)build. */
  readonly index: string;
  /** Corpus location, e.g. "s3://corpus-bucket/scifact/" (read through the R2/S3 credentials). */
  readonly corpusUrl: string;
  /** Index store, e.g. "s3://csplade-indexes/" on R2. */
  readonly storeUrl: string;
  /** S3-compatible endpoint of the store, e.g. "https://<account>.r2.cloudflarestorage.com". */
  readonly storeEndpoint: string;
  /** Encoder argument of `csplade index`, e.g. "onnx:/models/csplade-1b" or "bm25". */
  readonly encoder: string;
  /** Number of array children that encode 1/N of the corpus each. */
  readonly workers: number;
  /** Shards of the published index. */
  readonly shards: number;
  /** EventBridge Scheduler cron: minute hour day-of-month month day-of-week year. */
  readonly cron: { minute: string; hour: string; day?: string; month?: string; weekDay?: string };
  readonly timezone: string;
  /** GPU instance types for the encoding children. */
  readonly gpuInstanceTypes: readonly string[];
  readonly maxGpuVcpus: number;
  readonly spot: boolean;
  /** Tag of the batch image in the stack's ECR repository. */
  readonly imageTag: string;
  /** Versions kept by `csplade gc` after each publish. */
  readonly keepVersions: number;
}

export const defaultReindexConfig: ReindexConfig = {
  name: 'csplade',
  index: 'main',
  corpusUrl: 's3://csplade-corpus/main/',
  storeUrl: 's3://csplade-indexes/',
  storeEndpoint: 'https://ACCOUNT_ID.r2.cloudflarestorage.com',
  encoder: 'onnx:/models/encoder',
  workers: 4,
  shards: 8,
  cron: { minute: '0', hour: '3' },
  timezone: 'UTC',
  gpuInstanceTypes: ['g5.xlarge', 'g6.xlarge'],
  maxGpuVcpus: 64,
  spot: true,
  imageTag: 'latest',
  keepVersions: 3,
};

export class InfraConfigError extends Error {}

export function validateReindexConfig(config: ReindexConfig): ReindexConfig {
  const fail = (field: keyof ReindexConfig, why: string) => {
    throw new InfraConfigError(`infra config: ${field} ${why}`);
  };
  if (!/^[a-z][a-z0-9-]{1,30}$/.test(config.name))
    fail('name', 'must be 2–31 lowercase letters, digits or dashes');
  if (!Number.isInteger(config.workers) || config.workers < 1 || config.workers > 10_000)
    fail('workers', 'must be an integer in 1..10000 (AWS Batch array size)');
  if (!Number.isInteger(config.shards) || config.shards < 1) fail('shards', 'must be a positive integer');
  if (!config.storeUrl.startsWith('s3://')) fail('storeUrl', 'must be an s3:// URL (R2 speaks the S3 API)');
  if (!/^https:\/\//.test(config.storeEndpoint)) fail('storeEndpoint', 'must be an https:// URL');
  if (config.gpuInstanceTypes.length === 0) fail('gpuInstanceTypes', 'must name at least one instance type');
  if (config.keepVersions < 1) fail('keepVersions', 'must keep at least one version');
  return config;
}
