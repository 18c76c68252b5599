#!/usr/bin/env node
// Bundles the compiled CLI (dist/cli/commands.js, with @oclif/core and every command) into
// dist/bundle/leakscope.cjs, which bin/run.js loads: Node reads one pre-linked script instead of
// resolving and compiling ~250 modules, 30–50 ms of every start-up, and V8's code cache of it
// (scripts/code-cache.mjs) saves most of the compiling left. The batch worker is its own entry
// (dist/bundle/worker.js). The library (dist/src) is left as tsc wrote it.
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist', 'bundle');
rmSync(outdir, { recursive: true, force: true });
const common = {
  absWorkingDir: root,
  outdir,
  bundle: true,
  platform: 'node',
  target: 'node20',
  // oclif requires TypeScript only to run a plugin's sources in development
  external: ['typescript'],
  sourcemap: 'linked',
  logLevel: 'warning',
};
/**
 * oclif sorts the command list with `localeCompare` each time it starts; the first call in a
 * process loads ICU's collation data, ~8 ms of every start-up. The ids (lowercase ASCII words
 * and colons) sort the same by code unit, so the bundle gets a plain comparison. The build
 * fails if oclif's code no longer has that line, rather than bundle it unpatched unnoticed.
 */
const ordinalCommandSort = {
  name: 'oclif-ordinal-command-sort',
  setup(b) {
    b.onLoad({ filter: /@oclif[\\/]core[\\/]lib[\\/]config[\\/]plugin\.js$/ }, (args) => {
      const code = readFileSync(args.path, 'utf8');
      const sort = '.sort((a, b) => a.id.localeCompare(b.id))';
      if (!code.includes(sort)) throw new Error(`${args.path}: the command sort to patch is gone; review ordinalCommandSort`);
      return { contents: code.replace(sort, '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))'), loader: 'js' };
    });
  },
};

// The CLI: one CommonJS script, so that bin/load-bundle.js can compile it with V8's code cache
// (vm.Script). Its modules keep their `import.meta.url` as the bundle's own URL.
await build({
  ...common,
  entryPoints: { leakscope: 'dist/cli/commands.js' },
  plugins: [ordinalCommandSort],
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  define: { 'import.meta.url': '__bundleUrl' },
  banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
});
// The batch worker, beside the code that starts it (new URL('./worker.js', import.meta.url)).
await build({
  ...common,
  entryPoints: { worker: 'dist/src/batch/worker.js' },
  format: 'esm',
  // CommonJS dependencies' require() calls need a require in an ES module
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
});
