#!/usr/bin/env node
// Writes V8's code cache for the CLI bundle (bin/load-bundle.js reads it at every start-up).
// The cache holds the bytecode of every function a run has compiled, so the bundle is loaded
// without its 1.2 MB being parsed and the engine's functions start without being compiled: a
// child process runs `events` and `analyze` on a fixture capture, as a user would, and saves
// what V8 compiled. Run by `npm run build`, after the bundle and the manifest.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const capture = path.join(root, 'fixtures/captures/mi_browser_demo.pcap');

if (process.argv[2] === '--train') {
  const { loadBundle, writeCodeCache } = await import(pathToFileURL(path.join(root, 'bin/load-bundle.js')).href);
  const { exports, script, source } = loadBundle({ useCache: false });
  if (!script) process.exit(0); // this Node cannot use a code cache (bin/load-bundle.js)
  const dir = pathToFileURL(path.join(root, 'bin/run.js')).href;
  await exports.execute({ args: ['events', capture, '--format', 'ndjson'], dir });
  await exports.execute({ args: ['analyze', capture, '--format', 'json'], dir });
  writeCodeCache(script, source);
} else {
  // the runs' reports are not wanted, their errors are
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--train'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) {
    process.stderr.write(`code-cache: training run failed (${r.status ?? r.signal})\n`);
    process.exit(1);
  }
}
