/**
 * Applies the Cloudflare plan: turns each declared resource into Cloudflare API requests (buckets, lifecycle
 * rules, the bucket-scoped batch token) and the wrangler command that deploys the Worker. With `--dry-run`
 * (the default) it only prints what it would send, so the plan can be reviewed — and tested — offline.
 *
 *   npx tsx infra/cloudflare/apply.ts [--apply] [--config infra/cloudflare/config.json]
 *
 * `--apply` needs CLOUDFLARE_API_TOKEN (a token allowed to edit R2 and API tokens); the batch token it creates
 * is printed once, to be stored in AWS Secrets Manager (docs/deploy.md), never in the repository.
 */
import { readFileSync } from 'node:fs';
import {
  type CloudflareConfig,
  type CloudflareResource,
  cloudflarePlan,
  exampleCloudflareConfig,
} from './plan.ts';

export interface PlannedRequest {
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly path: string;
  readonly body?: unknown;
  /** Why this request exists, for the dry-run listing. */
  readonly purpose: string;
}

export interface PlannedStep {
  readonly resource: CloudflareResource;
  readonly requests: readonly PlannedRequest[];
  /** A command to run instead of API calls (the Worker is deployed by wrangler). */
  readonly command?: readonly string[];
}

export function planRequests(config: CloudflareConfig): PlannedStep[] {
  const account = `/accounts/${config.accountId}`;
  return cloudflarePlan(config).map((resource) => stepFor(resource, account));
}

function stepFor(resource: CloudflareResource, account: string): PlannedStep {
  switch (resource.kind) {
    case 'r2-bucket':
      return {
        resource,
        requests: [
          {
            method: 'POST',
            path: `${account}/r2/buckets`,
            body: { name: resource.name },
            purpose: 'create bucket (409 = exists)',
          },
          {
            method: 'PUT',
            path: `${account}/r2/buckets/${resource.name}/lifecycle`,
            body: { rules: resource.lifecycle },
            purpose: 'replace lifecycle rules',
          },
        ],
      };
    case 'api-token':
      return {
        resource,
        requests: [
          {
            method: 'GET',
            path: `${account}/tokens/permission_groups`,
            purpose: 'resolve permission group ids',
          },
          {
            method: 'POST',
            path: `${account}/tokens`,
            body: {
              name: resource.name,
              policies: resource.policies.map((p) => ({
                effect: p.effect,
                permission_groups: p.permissionGroups.map((name) => ({ name })),
                resources: p.resources,
              })),
            },
            purpose: 'create the bucket-scoped batch writer token',
          },
        ],
      };
    case 'worker':
      return {
        resource,
        requests: [],
        command: [
          'npx',
          'wrangler',
          'deploy',
          '--config',
          'edge/wrangler.jsonc',
          '--env',
          resource.environment,
        ],
      };
  }
}

async function apply(steps: PlannedStep[], token: string): Promise<void> {
  const api = 'https://api.cloudflare.com/client/v4';
  const call = async (request: PlannedRequest) => {
    const response = await fetch(`${api}${request.path}`, {
      method: request.method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
    });
    const json = (await response.json()) as { success: boolean; result: unknown; errors: unknown };
    if (!json.success && !(request.method === 'POST' && response.status === 409)) {
      throw new Error(`${request.method} ${request.path}: ${JSON.stringify(json.errors)}`);
    }
    return json.result;
  };
  for (const step of steps) {
    let groups: { id: string; name: string }[] = [];
    for (const request of step.requests) {
      if (request.path.endsWith('/permission_groups')) {
        groups = (await call(request)) as { id: string; name: string }[];
        continue;
      }
      const body = JSON.parse(JSON.stringify(request.body ?? null), (key, value) =>
        key === 'permission_groups'
          ? (value as { name: string }[]).map(({ name }) => ({
              id: groups.find((g) => g.name === name)?.id ?? name,
            }))
          : value,
      );
      const result = await call({ ...request, body: body ?? undefined });
      if (step.resource.kind === 'api-token') {
        console.log(
          `created ${step.resource.name}; store its value now (shown once): ${JSON.stringify(result)}`,
        );
      }
    }
    if (step.command) console.log(`run: ${step.command.join(' ')}`);
  }
}

const isEntry = process.argv[1]?.endsWith('infra/cloudflare/apply.ts');
if (isEntry) {
  const args = process.argv.slice(2);
  const configPath = args.includes('--config') ? args[args.indexOf('--config') + 1] : undefined;
  const config: CloudflareConfig = configPath
    ? JSON.parse(readFileSync(configPath, 'utf8'))
    : exampleCloudflareConfig;
  const steps = planRequests(config);
  if (!args.includes('--apply')) {
    console.log(JSON.stringify(steps, null, 2));
  } else {
    const token = process.env.CLOUDFLARE_API_TOKEN;
    if (!token) throw new Error('--apply needs CLOUDFLARE_API_TOKEN in the environment');
    await apply(steps, token);
  }
}
