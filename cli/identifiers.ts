import { readFileSync } from 'node:fs';
import { parseIdentifierSpec, type Identifier } from '../src/leaks/detect.js';
import { UserError } from '../src/errors.js';

/** `--identifier kind=value` flags plus the lines of `--identifiers-file` (blank and # lines skipped). */
export function readIdentifiers(specs: string[], file: string | undefined): Identifier[] {
  const lines = [...specs];
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new UserError(`cannot read identifiers file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    for (const l of text.split(/\r?\n/)) if (l.trim() && !l.trim().startsWith('#')) lines.push(l.trim());
  }
  return lines.map((spec) => {
    try {
      return parseIdentifierSpec(spec);
    } catch (err) {
      throw new UserError(`bad identifier "${spec}": ${(err as Error).message}`, 2, ['use kind=value, e.g. --identifier imei=864811045123671']);
    }
  });
}
