#!/usr/bin/env node
// oclif checks its own engines range with semver when imported, about 20 ms of every start-up;
// leakscope's own range (package.json engines, node >= 20) is the one that matters.
process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1';
// the bundle `npm run build` writes: oclif and every command in one file, started from V8's
// code cache (bin/load-bundle.js, scripts/bundle.mjs)
const { loadBundle } = await import('./load-bundle.js');

// execute resolves once stdout and stderr have drained (cli/execute.ts): exiting is then safe,
// and ends a run whose input (a live `-`) is still open
process.exit(await loadBundle().exports.execute({ dir: import.meta.url }));
