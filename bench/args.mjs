// What the bench scripts share: the repository root and `--name value` options.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

/** the value after `--name`, or `dflt` */
export function option(name, dflt) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
}

/** whether the bare flag `--name` was given */
export function flag(name) {
  return args.includes(`--${name}`);
}
