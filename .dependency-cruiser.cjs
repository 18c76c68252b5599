/**
 * The layering rules (docs/CONTRIBUTING.md), checked by `npm run lint:deps` in .ci/run.
 * Type-only imports count: a cycle or an upward import through types is still a tangle.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'no import cycles anywhere: each module can be read (and tested) after what it imports',
      from: {},
      to: { circular: true },
    },
    {
      name: 'decode-imports-nothing-above',
      severity: 'error',
      comment: 'decode/ (link, network, transport layers) depends only on the base modules and capture/frame',
      from: { path: '^src/decode/' },
      to: { path: '^src/(flow|proto|analyzers|engine|inspect|leaks|signatures|report|batch|decrypt)/' },
    },
    {
      name: 'proto-imports-no-flow-or-engine',
      severity: 'error',
      comment: 'proto/ parsers know nothing of flows, analyzers or the pipeline: they report what they found',
      from: { path: '^src/proto/' },
      to: { path: '^src/(flow|analyzers|engine|inspect|leaks|signatures|report|batch)/' },
    },
    {
      name: 'flow-imports-no-application-layer',
      severity: 'error',
      from: { path: '^src/flow/' },
      to: { path: '^src/(proto|analyzers|engine|inspect|leaks|signatures|report|batch)/' },
    },
    {
      name: 'analyzers-import-no-pipeline',
      severity: 'error',
      comment: 'analyzers are driven by the pipeline (engine/scan.ts); of engine/ they use only the observation records',
      from: { path: '^src/analyzers/' },
      to: { path: '^src/(engine/(?!observations\\.ts)|inspect|leaks|signatures|report|batch)' },
    },
    {
      name: 'inspect-below-leaks-and-signatures',
      severity: 'error',
      comment: 'the request model is read by signatures/ and leaks/, never the other way round',
      from: { path: '^src/inspect/' },
      to: { path: '^src/(leaks|signatures|engine|analyzers|report|batch)/' },
    },
    {
      name: 'leaks-and-signatures-apart',
      severity: 'error',
      comment: 'signature matching and leak detection share only the request model (inspect/)',
      from: { path: '^src/(leaks|signatures)/' },
      to: { path: '^src/(leaks|signatures|engine|analyzers|report|batch)/', pathNot: '^src/$1/' },
    },
    {
      name: 'engine-never-imports-the-cli',
      severity: 'error',
      comment: 'src/ and geo/ are a library: no oclif, commands, cli/, chalk (only report/writers/table.ts draws tables)',
      from: { path: '^(src|geo)/', pathNot: '^src/report/writers/table\\.ts$' },
      to: { path: '^(commands|cli)/|node_modules/(@oclif|chalk)/' },
    },
    {
      name: 'geo-without-the-cli-errors',
      severity: 'error',
      comment: "geo/ reports its own errors; turning them into user-facing ones is the caller's business",
      from: { path: '^geo/' },
      to: { path: '^src/errors\\.ts$' },
    },
    {
      name: 'nothing-shipped-imports-test-support',
      severity: 'error',
      comment: 'test-support/ is not packed (package.json files)',
      from: { path: '^(src|geo|commands|cli)/' },
      to: { path: '^test-support/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] },
  },
};
