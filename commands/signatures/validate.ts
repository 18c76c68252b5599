import { Args } from '@oclif/core';
import { readFileSync } from 'node:fs';
import { LeakscopeCommand } from '../../cli/base.js';
import { validatePack } from '../../src/signatures/db.js';
import { UserError } from '../../src/errors.js';

export default class SignaturesValidate extends LeakscopeCommand {
  static override summary = 'check a signature pack against the schema';
  static override description = 'Prints every problem with its JSON path; exits 2 when the pack is invalid.';
  static override examples = ['<%= config.bin %> signatures validate my-pack.json'];
  static override strict = false;
  static override args = { file: Args.string({ description: 'signature pack(s) (JSON)', required: true }) };

  async run(): Promise<{ file: string; valid: boolean; errors: string[]; signatures: number }[]> {
    const { argv, flags } = await this.parse(SignaturesValidate);
    this.limitsFrom(flags);
    const results = [];
    for (const file of argv as string[]) {
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(file, 'utf8'));
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        throw new UserError(e.code ? `cannot read ${file}: ${e.code}` : `${file} is not JSON: ${e.message}`);
      }
      const { pack, errors } = validatePack(json, file);
      results.push({ file, valid: errors.length === 0, errors, signatures: pack?.signatures.length ?? 0 });
    }
    const format = this.outputFormat(flags);
    if (format === 'json') process.stdout.write(JSON.stringify(results.length === 1 ? results[0] : results, null, 2) + '\n');
    else if (format === 'ndjson') for (const r of results) process.stdout.write(JSON.stringify(r) + '\n');
    else
      for (const r of results)
        process.stdout.write(r.valid ? `${r.file}: valid, ${r.signatures} signatures\n` : `${r.file}: invalid\n${r.errors.map((e) => `  ${e}`).join('\n')}\n`);
    if (results.some((r) => !r.valid)) this.exit(2);
    return results;
  }
}
