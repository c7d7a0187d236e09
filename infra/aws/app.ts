/**
 * CDK entry: `npx aws-cdk@2 deploy --app "npx tsx infra/aws/app.ts"` (see docs/deploy.md). The configuration comes
 * from a JSON file named by CSPLADE_INFRA_CONFIG (merged over the defaults), so environments differ by data only.
 */
import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { defaultReindexConfig, type ReindexConfig } from './config.ts';
import { ReindexStack } from './reindex-stack.ts';

const file = process.env.CSPLADE_INFRA_CONFIG;
const overrides: Partial<ReindexConfig> = file ? JSON.parse(readFileSync(file, 'utf8')) : {};
const config: ReindexConfig = { ...defaultReindexConfig, ...overrides };

const app = new App();
new ReindexStack(app, `${config.name}-reindex`, { config });
app.synth();
