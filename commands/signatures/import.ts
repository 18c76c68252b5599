import { Args, Flags } from '@oclif/core';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { LeakscopeCommand } from '../../cli/base.js';
import { importBlocklist } from '../../src/signatures/db.js';
import { UserError } from '../../src/errors.js';

export default class SignaturesImport extends LeakscopeCommand {
  static override summary = 'turn a hosts file or an AdGuard/ABP list into a signature pack';
  static override description = 'Reads `0.0.0.0 host` / `127.0.0.1 host` lines and `||domain^` rules; writes a pack usable with --signatures.';
  static override examples = ['<%= config.bin %> signatures import xiaomi-blocklist.txt --vendor Xiaomi --out xiaomi-extra.json'];
  static override args = { file: Args.string({ description: 'hosts file or adblock list', required: true }) };
  static override flags = {
    vendor: Flags.string({ required: true, summary: 'vendor name for every entry' }),
    category: Flags.string({ default: 'imported', summary: 'category for every entry' }),
    name: Flags.string({ summary: 'pack name (default: the file name)' }),
    out: Flags.string({ summary: 'write the pack here instead of standard output' }),
  };

  async run(): Promise<{ signatures: number }> {
    const { args, flags } = await this.parse(SignaturesImport);
    this.limitsFrom(flags);
    let text: string;
    try {
      text = readFileSync(args.file, 'utf8');
    } catch (err) {
      throw new UserError(`cannot read ${args.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    const pack = importBlocklist(text, { vendor: flags.vendor, category: flags.category, name: flags.name ?? basename(args.file) });
    if (pack.signatures.length === 0)
      throw new UserError(`${args.file}: no host or ||domain^ entries found`, 2, [
        'hosts files need "0.0.0.0 host" lines; adblock lists need "||domain^" rules',
      ]);
    const json = JSON.stringify(pack, null, 2) + '\n';
    if (flags.out) writeFileSync(flags.out, json);
    else process.stdout.write(json);
    if (flags.out) this.note(flags, `${pack.signatures.length} signatures written to ${flags.out}`);
    return { signatures: pack.signatures.length };
  }
}
