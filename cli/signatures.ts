import { SignatureDb, loadPackFile, bundledPacks } from '../src/signatures/db.js';
import { UserError } from '../src/errors.js';
import { resolveName } from './names.js';

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

/**
 * The vendor `--vendor` names, as the packs spell it: matched without regard to case, spaces
 * or punctuation, or by pack id (`sensorsdata` → Sensors Data, `xiaomi` → Xiaomi, where a pack
 * names one vendor). An unknown vendor is exit 2 naming those that exist.
 */
export function resolveVendor(db: SignatureDb, given: string | undefined): string | undefined {
  if (given === undefined) return undefined;
  const vendors = db.vendors();
  const packCount = new Map<string, number>();
  for (const v of vendors) for (const p of v.packs) packCount.set(p, (packCount.get(p) ?? 0) + 1);
  return resolveName(
    '--vendor',
    given,
    vendors.map((v) => ({ name: v.vendor, aliases: v.packs.filter((p) => packCount.get(p) === 1) })),
  );
}
