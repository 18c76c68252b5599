import { Flags } from '@oclif/core';
import { LeakscopeCommand } from '../../cli/base.js';
import { loadSignatures, resolveVendor } from '../../cli/signatures.js';
import type { Signature } from '../../src/signatures/db.js';
import { createWriter } from '../../src/report/writers/index.js';
import type { Column } from '../../src/report/columns.js';

interface SignatureRow { id: string; vendor: string; product: string; category: string; match: string; alert: boolean; confidence: string; references: string[] }

export function matchText(s: Signature): string {
  const m = s.match as Record<string, unknown>;
  return Object.entries(m)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(' ') : String(v)}`)
    .join('; ');
}

const COLUMNS: readonly Column<SignatureRow>[] = [
  { key: 'id', header: 'Id', get: (r) => r.id },
  { key: 'vendor', header: 'Vendor', get: (r) => r.vendor },
  { key: 'category', header: 'Category', get: (r) => r.category },
  { key: 'match', header: 'Match', get: (r) => r.match },
  { key: 'alert', header: 'Alerts', get: (r) => (r.alert ? 'yes' : 'label only') },
];

export default class Signatures extends LeakscopeCommand {
  static override summary = 'list the signature database: the Xiaomi and Sensors Data endpoints leakscope knows';
  static override examples = ['<%= config.bin %> signatures', '<%= config.bin %> signatures --vendor "Sensors Data" --format csv'];
  static override flags = {
    vendor: Flags.string({ summary: 'only this vendor' }),
    signatures: Flags.string({ multiple: true, summary: 'also load this pack (JSON)' }),
  };

  async run(): Promise<SignatureRow[]> {
    const { flags } = await this.parse(Signatures);
    this.limitsFrom(flags);
    const db = loadSignatures(flags.signatures ?? []);
    const vendor = resolveVendor(db, flags.vendor);
    const rows = db
      .all()
      .filter((s) => !vendor || s.vendor === vendor)
      .map((s) => ({ id: s.id, vendor: s.vendor, product: s.product, category: s.category, match: matchText(s), alert: s.alert, confidence: s.confidence, references: s.references }));
    const writer = await createWriter<SignatureRow>(this.outputFormat(flags), this.stdoutSink(), {
      columns: COLUMNS,
      table: { groupBy: (r) => r.vendor, footer: () => [`${rows.length} signatures; database ${db.version}`] },
    });
    rows.forEach((r) => writer.write(r));
    writer.end();
    return rows;
  }
}
