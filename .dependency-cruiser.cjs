/**
 * The dependency rule of csplade, checked by `npm run lint:deps` (part of `npm test`, so of CI):
 *
 *   compose/  ─►  batch/   ─►  shared/
 *             └►  edge/    ─►  shared/
 *
 * shared/ is the base both tiers stand on and imports neither; batch/ (the offline job) and edge/ (the
 * search API) never import each other, so each deploys without the other; compose/ is the one place that
 * joins them (the csplade CLI, the Node server process, evaluation through the edge, the dev loop).
 * Around them: bin/ starts compose/, scripts/ holds code generators over shared/, infra/ deploys and
 * imports no product code, test/ may import anything and nothing imports test/. No cycles anywhere, no
 * module that nothing reaches, no import that does not resolve. `npm run graph:deps` draws the result
 * (docs/module-graph.md).
 *
 * Parsed with swc: dependency-cruiser reads TypeScript through the compiler's JavaScript API, which the
 * native TypeScript 7 compiler of this repository does not ship. swc sees every `import` and `export …
 * from`, type-only ones included, and `import()` calls with a literal path.
 */

/** The tiers of the product. */
const PRODUCT = '^(shared|batch|edge|compose)/';

/**
 * Where a run starts, so what they import is in use. Each is started by something outside the module
 * graph, which is why nothing imports it:
 * - compose/cli/main.ts: the csplade binary (bin/csplade.mjs), `npm run csplade`, the batch image;
 * - compose/node-server.node.ts: the Node search server as a process (`node --import tsx …`);
 * - compose/dev/: `npm start` (prestart) and `npm run dev`;
 * - compose/eval/scifact-main.ts: `npm run eval:scifact`;
 * - edge/worker.ts, edge/worker-onnx.ts: the Worker entries named by wrangler.jsonc / wrangler.onnx.jsonc;
 * - edge/tokenizers/llama3-not-bundled.ts: what wrangler.jsonc's alias puts in place of the Llama 3
 *   tokenizer in the Worker bundle;
 * - bin/: the package's binary; scripts/: code generators run by hand; infra/: the CDK app and the
 *   Cloudflare applier, run by their tools;
 * - test/: vitest files, their global setup and reporter, benchmarks, the chaos and fuzz runners;
 * - vitest.config.ts: read by vitest.
 */
const ENTRIES = [
  '^compose/cli/main\\.ts$',
  '^compose/node-server\\.node\\.ts$',
  '^compose/dev/',
  '^compose/eval/scifact-main\\.ts$',
  '^edge/worker(-onnx)?\\.ts$',
  '^edge/tokenizers/llama3-not-bundled\\.ts$',
  '^bin/',
  '^scripts/',
  '^infra/',
  '^test/',
  '^vitest\\.config\\.ts$',
];

/** Ambient declarations (Workers Env, .wasm modules): the compiler loads them through tsconfig, nothing imports them. */
const AMBIENT = '\\.d\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes two modules one: neither can be read, tested or moved alone.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'shared-imports-no-tier',
      severity: 'error',
      comment:
        'shared/ is what batch/ and edge/ both stand on; it cannot know either, nor what composes them.',
      from: { path: '^shared/' },
      to: { path: '^(batch|edge|compose|bin|scripts|infra|test)/' },
    },
    {
      name: 'batch-not-edge',
      severity: 'error',
      comment:
        'The batch job deploys without the search API. What needs both belongs in compose/ (or, when both ' +
        'tiers use it and it is runtime-neutral, in shared/).',
      from: { path: '^batch/' },
      to: { path: '^(edge|compose|bin|scripts|infra|test)/' },
    },
    {
      name: 'edge-not-batch',
      severity: 'error',
      comment:
        'The search API deploys without the batch job. What needs both belongs in compose/; what the edge ' +
        'needs from the batch side at run time is injected by compose/ (compose/node-query-encoders.node.ts).',
      from: { path: '^edge/' },
      to: { path: '^(batch|compose|bin|scripts|infra|test)/' },
    },
    {
      name: 'search-knows-no-http',
      severity: 'error',
      comment:
        'edge/search/ is the search itself, in its own terms (search-params.ts, errors.ts); edge/http/ and ' +
        'edge/routes/ turn requests into those terms and its errors into statuses. The search layer imports ' +
        'neither, so it can be tested, benchmarked and served without HTTP.',
      from: { path: '^edge/search/' },
      to: { path: '^edge/(http|routes)/' },
    },
    {
      name: 'compose-is-the-top',
      severity: 'error',
      comment: 'compose/ is product code: it may use every tier, but not the tools and tests around them.',
      from: { path: '^compose/' },
      to: { path: '^(bin|scripts|infra|test)/' },
    },
    {
      name: 'bin-starts-compose',
      severity: 'error',
      comment: 'The binary only starts the CLI of compose/; what it runs lives there.',
      from: { path: '^bin/' },
      to: { path: '^(shared|batch|edge|scripts|infra|test)/' },
    },
    {
      name: 'scripts-generate-over-shared',
      severity: 'error',
      comment: 'scripts/ holds code generators over shared/; programs that run the tiers live in compose/.',
      from: { path: '^scripts/' },
      to: { path: '^(batch|edge|compose|bin|infra|test)/' },
    },
    {
      name: 'infra-imports-no-product',
      severity: 'error',
      comment: 'Deployment code describes resources; it does not run the product.',
      from: { path: '^infra/' },
      to: { path: '^(shared|batch|edge|compose|bin|scripts|test)/' },
    },
    {
      name: 'workerd-code-imports-no-node-module',
      severity: 'error',
      comment:
        'shared/ and edge/ run in workerd: only files named *.node.ts (and edge/node.ts, the Node entry) may ' +
        'import Node-only modules.',
      from: { path: '^(shared|edge)/', pathNot: ['\\.node\\.ts$', '^edge/node\\.ts$'] },
      to: { path: '\\.node\\.ts$' },
    },
    {
      name: 'workerd-code-uses-no-node-builtin',
      severity: 'error',
      comment:
        'shared/ and edge/ run in workerd: Node built-ins (node:fs, node:buffer, …) only in files named ' +
        '*.node.ts (and edge/node.ts, the Node entry).',
      from: { path: '^(shared|edge)/', pathNot: ['\\.node\\.ts$', '^edge/node\\.ts$'] },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'no-orphans',
      severity: 'error',
      comment:
        'A module that imports nothing and that nothing imports is dead or misplaced (an entry may stand ' +
        'alone: vitest.config.ts, the test reporter it names).',
      from: { orphan: true, pathNot: [AMBIENT, ...ENTRIES] },
      to: {},
    },
    {
      name: 'reachable-from-an-entry',
      severity: 'error',
      comment: 'Every product module is used by a program or a test that starts from one of ENTRIES.',
      from: { path: ENTRIES },
      to: { path: PRODUCT, pathNot: [AMBIENT, ...ENTRIES], reachable: false },
    },
    {
      name: 'resolvable',
      severity: 'error',
      comment: 'Every import names a file or package that exists (moved files leave no dangling path).',
      from: {},
      to: { couldNotResolve: true, pathNot: ['^cloudflare:'] },
    },
  ],
  options: {
    parser: 'swc',
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|\\.tmp|\\.wrangler|dist|test/fixtures)/' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.mjs', '.js', '.cjs', '.json', '.d.ts'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
