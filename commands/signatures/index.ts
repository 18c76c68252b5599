import { Flags } from '@oclif/core';
import { LeakscopeCommand } from '../../cli/base.js';
import { loadSignatures, resolveVendor } from '../../cli/signatures.js';
import { createWriter } from '../../src/report/writers/index.js';
import { SIGNATURE_SCHEMA, signatureRow, type SignatureRow } from '../../src/report/schemas/signature.js';

export default class Signatures extends LeakscopeCommand {
  static override summary = 'list the signature database: the Xiaomi and Sensors Data endpoints leakscope knows';
  static override examples = ['<%= config.bin %> signatures', '<%= config.bin %> signatures --vendor "Sensors Data" --format csv'];
  static override flags = {
    vendor: Flags.string({ summary: 'only this vendor' }),
    signatures: Flags.string({ multiple: true, multipleNonGreedy: true, summary: 'also load this pack (JSON)' }),
  };

  async run(): Promise<SignatureRow[]> {
    const { flags } = await this.parse(Signatures);
    this.limitsFrom(flags);
    const db = loadSignatures(flags.signatures ?? []);
    const vendor = resolveVendor(db, flags.vendor);
    const rows = db
      .all()
      .filter((s) => !vendor || s.vendor === vendor)
      .map(signatureRow);
    const writer = await createWriter<SignatureRow>(this.outputFormat(flags), this.stdoutSink(flags), {
      ...SIGNATURE_SCHEMA,
      table: { groupBy: (r) => r.vendor, footer: () => [`${rows.length} signatures; database ${db.version}`] },
    });
    rows.forEach((r) => writer.write(r));
    writer.end();
    return rows;
  }
}
