/**
 * The Cloudflare plan, checked offline: buckets per environment with lifecycle rules that never touch live
 * versions, a batch token that can write one bucket and nothing else, and Workers that reach R2 only through
 * their binding.
 */
import { describe, expect, it, vi } from 'vitest';
import { APPLY_USAGE, applyMain, planRequests } from '../../infra/cloudflare/apply.ts';
import {
  type CloudflareConfig,
  cloudflarePlan,
  exampleCloudflareConfig,
} from '../../infra/cloudflare/plan.ts';

const config: CloudflareConfig = { ...exampleCloudflareConfig, indexes: ['main', 'docs'] };

describe('cloudflare plan', () => {
  const plan = cloudflarePlan(config);

  it('declares a bucket, a batch token and a worker per environment', () => {
    expect(plan.map((r) => `${r.environment}:${r.kind}`).sort()).toEqual([
      'production:api-token',
      'production:r2-bucket',
      'production:worker',
      'staging:api-token',
      'staging:r2-bucket',
      'staging:worker',
    ]);
  });

  it('expires abandoned runs, stale cache and incomplete uploads, never index versions', () => {
    const bucket = plan.find((r) => r.kind === 'r2-bucket' && r.environment === 'production');
    if (bucket?.kind !== 'r2-bucket') throw new Error('no production bucket');
    const prefixes = bucket.lifecycle
      .filter((r) => r.deleteObjectsTransition)
      .map((r) => r.conditions.prefix);
    expect(prefixes.sort()).toEqual(['cache/', 'indexes/docs/runs/', 'indexes/main/runs/']);
    for (const prefix of prefixes) expect(prefix).not.toMatch(/versions|CURRENT/);
    const runs = bucket.lifecycle.find((r) => r.id === 'abandoned-runs-main');
    expect(runs?.deleteObjectsTransition?.condition.maxAge).toBe(7 * 86_400);
    expect(bucket.lifecycle.some((r) => r.abortMultipartUploadsTransition?.condition.maxAge === 86_400)).toBe(
      true,
    );
  });

  it('scopes the batch token to its own bucket with write access only', () => {
    for (const env of ['staging', 'production'] as const) {
      const token = plan.find((r) => r.kind === 'api-token' && r.environment === env);
      if (token?.kind !== 'api-token') throw new Error(`no token for ${env}`);
      expect(token.policies).toHaveLength(1);
      expect(token.policies[0].permissionGroups).toEqual(['Workers R2 Storage Bucket Item Write']);
      expect(Object.keys(token.policies[0].resources)).toEqual([
        `com.cloudflare.edge.r2.bucket.${config.accountId}_default_${config.environments[env].bucket}`,
      ]);
    }
  });

  it('binds each worker to its own environment bucket', () => {
    for (const r of plan) {
      if (r.kind !== 'worker') continue;
      expect(r.r2Bindings).toEqual([
        { binding: 'BUCKET', bucket: config.environments[r.environment].bucket },
      ]);
    }
  });

  it('turns the plan into Cloudflare API requests and wrangler deploys (dry run)', () => {
    const steps = planRequests(config);
    const paths = steps.flatMap((s) => s.requests.map((r) => `${r.method} ${r.path}`));
    expect(paths).toContain(`PUT /accounts/${config.accountId}/r2/buckets/csplade-indexes/lifecycle`);
    expect(paths).toContain(`POST /accounts/${config.accountId}/tokens`);
    const deploys = steps.filter((s) => s.command).map((s) => s.command?.join(' '));
    expect(deploys).toEqual([
      'npx wrangler deploy --config wrangler.jsonc --env staging',
      'npx wrangler deploy --config wrangler.jsonc --env production',
    ]);
  });

  it('the script answers --help with its usage and an unknown flag with exit code 2, sending nothing', async () => {
    const printed: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((text: string) => printed.push(text));
    const error = vi.spyOn(console, 'error').mockImplementation((text: string) => printed.push(text));
    try {
      expect(await applyMain(['--help'], {})).toBe(0);
      expect(printed).toEqual([APPLY_USAGE]);
      expect(APPLY_USAGE).toMatch(/--apply .*CLOUDFLARE_API_TOKEN/);
      printed.length = 0;
      expect(await applyMain(['--aply'], {})).toBe(2);
      expect(printed[0]).toMatch(/Unknown option '--aply'/);
      printed.length = 0;
      expect(await applyMain(['--apply'], {})).toBe(2); // no token: refused before any request
      expect(printed[0]).toMatch(/needs CLOUDFLARE_API_TOKEN/);
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
  });
});
