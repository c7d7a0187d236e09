#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx csplade …` works without a build step. tsx is resolved from
// this package (not from the working directory), so the command works from any folder.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsx = import.meta.resolve('tsx');
const result = spawnSync(
  process.execPath,
  ['--import', tsx, join(root, 'batch/cli/main.ts'), ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
