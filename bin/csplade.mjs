#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, registered in this process (no second Node process), so
// `npx csplade …` works without a build step and from any folder: tsx is resolved from this package.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../compose/cli/main.ts');
process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
