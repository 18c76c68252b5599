#!/usr/bin/env node
// Bundles the compiled CLI (dist/cli/commands.js, with @oclif/core and every command) into
// dist/bundle/, which bin/run.js loads: Node resolves, reads and compiles one file instead of
// ~250 modules, 30–50 ms of every start-up. The batch worker is its own entry (dist/bundle/
// worker.js, beside the code that starts it); code split into chunks loads only when used (the
// table writer, for --format table). The library (dist/src) is left as tsc wrote it.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist', 'bundle');
rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { leakscope: 'dist/cli/commands.js', worker: 'dist/src/batch/worker.js' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // oclif requires TypeScript only to run a plugin's sources in development
  external: ['typescript'],
  // @oclif/core is CommonJS: its require() calls need a require in an ES module
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  sourcemap: 'linked',
  logLevel: 'warning',
});
