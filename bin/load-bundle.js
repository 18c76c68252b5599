/**
 * Loads the CLI bundle (dist/bundle/leakscope.cjs, written by `npm run build`) with V8's code
 * cache. Compiling the 1.2 MB bundle and the functions a run calls costs ~35 ms of every
 * start-up; `npm run build` runs the CLI once and saves the compiled code beside the bundle
 * (scripts/code-cache.mjs), and each later run starts from it.
 *
 * The cache is only an optimisation. The file starts with a SHA-256 of the bundle and of V8's
 * data: a cache written for another bundle, or damaged, is not used. V8 itself refuses data
 * from another V8 version or other flags. Either way the bundle is compiled as without a cache.
 * On Node versions whose `vm` cannot give a script the normal `import()` (before 20.12) the
 * bundle is simply required.
 */
import { createHash } from 'node:crypto';
import { readFileSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

export const BUNDLE = fileURLToPath(new URL('../dist/bundle/leakscope.cjs', import.meta.url));
export const CODE_CACHE = `${BUNDLE}.v8-cache`;
const DIGEST_BYTES = 32;
const requireHere = createRequire(import.meta.url);

/**
 * Evaluates the bundle once and registers it as the CommonJS module of its path, so that oclif's
 * own `require` of the bundle (package.json `oclif.commands.target`) gets this instance.
 * `cache` says what became of the code cache: used, rejected (by V8), mismatched (another
 * bundle, or damaged), absent, or unsupported (no vm loader for `import()`).
 */
export function loadBundle({ useCache = true } = {}) {
  const importModuleDynamically = vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER;
  if (importModuleDynamically === undefined) {
    return { exports: requireHere(BUNDLE), script: null, source: null, cache: 'unsupported' };
  }
  const source = readFileSync(BUNDLE);
  const { data, state } = useCache ? readCodeCache(source) : { data: undefined, state: 'absent' };
  const script = new vm.Script(Module.wrap(source.toString('utf8')), { filename: BUNDLE, cachedData: data, importModuleDynamically });
  const module = new Module(BUNDLE);
  module.filename = BUNDLE;
  script.runInThisContext()(module.exports, createRequire(BUNDLE), module, BUNDLE, path.dirname(BUNDLE));
  module.loaded = true;
  const cache = requireHere.cache;
  cache[BUNDLE] = module;
  const real = realpathSync(BUNDLE);
  if (real !== BUNDLE) cache[real] = module;
  return { exports: module.exports, script, source, cache: data === undefined ? state : script.cachedDataRejected ? 'rejected' : 'used' };
}

/** Saves what `script` (from loadBundle) has compiled so far, for later start-ups. */
export function writeCodeCache(script, source) {
  const data = script.createCachedData();
  const tmp = `${CODE_CACHE}.${process.pid}.tmp`;
  writeFileSync(tmp, Buffer.concat([digest(source, data), data]));
  renameSync(tmp, CODE_CACHE); // whole or not at all, for a run starting meanwhile
}

function readCodeCache(source) {
  let file;
  try {
    file = readFileSync(CODE_CACHE);
  } catch {
    return { data: undefined, state: 'absent' };
  }
  const data = file.subarray(DIGEST_BYTES);
  if (file.length <= DIGEST_BYTES || !digest(source, data).equals(file.subarray(0, DIGEST_BYTES))) return { data: undefined, state: 'mismatched' };
  return { data, state: 'used' };
}

function digest(source, data) {
  return createHash('sha256').update(source).update(data).digest();
}
