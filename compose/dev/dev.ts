/**
 * `npm run dev [-- <wrangler dev options>]`: `wrangler dev` on the Worker of wrangler.jsonc, after seeding
 * its local R2 bucket with the sample index (sample-index.ts), so the local Worker answers the
 * same queries as `npm start`. A port already in use is a one-line error here, before workerd would
 * crash on it. Options after `--` go to wrangler dev as they are (e.g. `-- --port 8788 --ip 0.0.0.0`).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { assertPortFree, PortInUseError } from '../../edge/port.node.ts';
import { buildSampleIndex, ROOT, SAMPLE_INDEX, SAMPLE_QUERY, seedLocalR2 } from './sample-index.ts';

const args = process.argv.slice(2);
const option = (name: string) => {
  const at = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (at < 0) return undefined;
  return args[at].includes('=') ? args[at].slice(name.length + 1) : args[at + 1];
};
const port = Number(option('--port') ?? 8787);
const host = option('--ip') ?? '127.0.0.1';

try {
  await assertPortFree(host === 'localhost' ? '127.0.0.1' : host, port);
} catch (error) {
  if (!(error instanceof PortInUseError)) throw error;
  console.error(`npm run dev: ${error.message}`);
  process.exit(1);
}
const { version } = await buildSampleIndex();
const objects = await seedLocalR2();
console.log(`seeded wrangler dev's local R2 with ${SAMPLE_INDEX} ${version} (${objects} objects)`);
console.log(
  `try: curl -s 'http://${host}:${port}/v1/indexes/${SAMPLE_INDEX}/search?q=${encodeURIComponent(SAMPLE_QUERY)}&k=3'\n`,
);

const wrangler = spawn(
  join(ROOT, 'node_modules', '.bin', 'wrangler'),
  ['dev', '--ip', host, '--port', String(port), ...withoutHostAndPort(args)],
  {
    cwd: ROOT,
    stdio: 'inherit',
    env: { WRANGLER_SEND_METRICS: 'false', ...process.env },
  },
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => wrangler.kill(signal));
wrangler.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

function withoutHostAndPort(list: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < list.length; i++) {
    const a = list[i];
    if (a === '--port' || a === '--ip') i++;
    else if (!a.startsWith('--port=') && !a.startsWith('--ip=')) out.push(a);
  }
  return out;
}
