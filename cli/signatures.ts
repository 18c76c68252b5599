import { SignatureDb, loadPackFile, bundledPacks } from '../src/signatures/db.js';
import { UserError } from '../src/errors.js';

/** The bundled packs plus the user's `--signatures FILE` packs (validated; errors name the file). */
export function loadSignatures(files: string[]): SignatureDb {
  if (files.length === 0) return SignatureDb.bundled();
  const packs = [...bundledPacks()];
  for (const f of files) {
    try {
      packs.push(loadPackFile(f));
    } catch (err) {
      throw new UserError((err as Error).message, 2, ['check it with: leakscope signatures validate ' + f]);
    }
  }
  return SignatureDb.fromPacks(packs);
}
