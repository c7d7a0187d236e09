/**
 * Applies the Cloudflare plan: turns each declared resource into Cloudflare API requests (buckets, lifecycle
 * rules, the bucket-scoped batch token) and the wrangler command that deploys the Worker. With `--dry-run`
 * (the default) it only prints what it would send, so the plan can be reviewed — and tested — offline.
 *
 *   npx tsx infra/cloudflare/apply.ts [--apply] [--config infra/cloudflare/config.json] [--help]
 *
 * `--apply` needs CLOUDFLARE_API_TOKEN (a token allowed to edit R2 and API tokens); the batch token it creates
 * is printed once, to be stored in AWS Secrets Manager (docs/deploy.md), never in the repository.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
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
        command: ['npx', 'wrangler', 'deploy', '--config', 'wrangler.jsonc', '--env', resource.environment],
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

export const APPLY_USAGE = `usage: npx tsx infra/cloudflare/apply.ts [--apply] [--config <config.json>]

Prints the Cloudflare requests the plan needs (R2 buckets and lifecycle rules, the bucket-scoped batch
token, the wrangler command that deploys the Worker) as JSON; sends them with --apply.
  --config  the plan's settings (account, environments, buckets); default: the example in plan.ts
  --apply   send the requests (needs CLOUDFLARE_API_TOKEN allowed to edit R2 and API tokens)
  --help    print this`;

/** Runs the script's command line; returns the exit code (2 for a usage mistake). */
export async function applyMain(args: readonly string[], env = process.env): Promise<number> {
  let values: { apply?: boolean; config?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      options: {
        apply: { type: 'boolean' },
        config: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    console.error(`apply.ts: ${(error as Error).message}\n\n${APPLY_USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(APPLY_USAGE);
    return 0;
  }
  const config: CloudflareConfig = values.config
    ? JSON.parse(readFileSync(values.config, 'utf8'))
    : exampleCloudflareConfig;
  const steps = planRequests(config);
  if (!values.apply) {
    console.log(JSON.stringify(steps, null, 2));
    return 0;
  }
  const token = env.CLOUDFLARE_API_TOKEN;
  if (!token) {
    console.error('apply.ts: --apply needs CLOUDFLARE_API_TOKEN in the environment');
    return 2;
  }
  await apply(steps, token);
  return 0;
}

if (process.argv[1]?.endsWith('infra/cloudflare/apply.ts')) {
  process.exitCode = await applyMain(process.argv.slice(2));
}
