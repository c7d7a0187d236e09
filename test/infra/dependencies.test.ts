/**
 * Every package.json dependency earns its place: it is imported by the code (source, tests, scripts), it
 * is a tool the npm scripts, tsconfig or CI run, or it is a peer dependency of one of those. A dependency
 * nothing uses (fflate was one) fails here.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const FOLDERS = ['batch', 'edge', 'shared', 'compose', 'test', 'scripts', 'infra', 'bin'];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'fixtures' || name === 'node_modules') return [];
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|mjs)$/.test(name) ? [path] : [];
  });
}

it('every dependency is imported, or run as a tool by the scripts, tsconfig or CI', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
    scripts: Record<string, string>;
  };
  const code = FOLDERS.flatMap((f) => sources(join(ROOT, f)))
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n');
  const tooling = [
    JSON.stringify(pkg.scripts),
    readFileSync(join(ROOT, 'tsconfig.json'), 'utf8'),
    readFileSync(join(ROOT, 'tsconfig.worker.json'), 'utf8'),
    readFileSync(join(ROOT, '.ci', 'run'), 'utf8'),
    readFileSync(join(ROOT, 'scripts', 'setup.sh'), 'utf8'),
    readFileSync(join(ROOT, '.dependency-cruiser.cjs'), 'utf8'),
  ].join('\n');
  // How each tool appears where it is used: a command name, or a tsconfig "types" entry.
  const commandOf: Record<string, string> = {
    typescript: 'tsc',
    '@biomejs/biome': 'biome',
    '@types/node': '"node"',
    'dependency-cruiser': 'depcruise',
    // dependency-cruiser's parser for TypeScript (.dependency-cruiser.cjs).
    '@swc/core': "parser: 'swc'",
  };
  const names = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
  const used = names.filter((name) => {
    const imported = new RegExp(`(from |import\\()'${name.replace('/', '\\/')}(/[^']*)?'`).test(code);
    return imported || tooling.includes(commandOf[name] ?? name);
  });
  // A peer dependency of a package in use is installed for it (zod, for @hono/zod-openapi).
  const peers = new Set(
    used.flatMap((name) => {
      const manifest = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
        peerDependencies?: Record<string, string>;
      };
      return Object.keys(manifest.peerDependencies ?? {});
    }),
  );
  const unused = names.filter((name) => !used.includes(name) && !peers.has(name));
  expect(unused).toEqual([]);
});
