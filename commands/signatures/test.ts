import { Args, Flags } from '@oclif/core';
import { LeakscopeCommand } from '../../cli/base.js';
import { loadSignatures } from '../../cli/signatures.js';
import { createWriter } from '../../src/report/writers/index.js';
import type { Column } from '../../src/report/columns.js';
import { matchText } from './index.js';

interface HitRow { host: string; id: string | null; vendor: string | null; category: string | null; alert: boolean; on: string | null; match: string | null }

const COLUMNS: readonly Column<HitRow>[] = [
  { key: 'host', header: 'Host', get: (r) => r.host },
  { key: 'id', header: 'Signature', get: (r) => r.id ?? '(none)' },
  { key: 'vendor', header: 'Vendor', get: (r) => r.vendor },
  { key: 'category', header: 'Category', get: (r) => r.category },
  { key: 'alert', header: 'Alerts', get: (r) => (r.id ? (r.alert ? 'yes' : 'label only') : '') },
  { key: 'match', header: 'Rule', get: (r) => r.match },
];

export default class SignaturesTest extends LeakscopeCommand {
  static override summary = 'show which signatures match a host name';
  static override examples = ['<%= config.bin %> signatures test tracking.intl.miui.com', '<%= config.bin %> signatures test a.example.com --signatures mine.json'];
  static override strict = false;
  static override args = { host: Args.string({ description: 'host name(s)', required: true }) };
  static override flags = { signatures: Flags.string({ multiple: true, summary: 'also load this pack (JSON)' }) };

  async run(): Promise<HitRow[]> {
    const { argv, flags } = await this.parse(SignaturesTest);
    this.limitsFrom(flags);
    const db = loadSignatures(flags.signatures ?? []);
    const rows: HitRow[] = [];
    for (const host of argv as string[]) {
      const hits = db.matchHost(host);
      if (hits.length === 0) rows.push({ host, id: null, vendor: null, category: null, alert: false, on: null, match: null });
      for (const h of hits) rows.push({ host, id: h.signature.id, vendor: h.signature.vendor, category: h.signature.category, alert: h.signature.alert, on: h.on, match: matchText(h.signature) });
    }
    const writer = await createWriter<HitRow>(this.outputFormat(flags), this.stdoutSink(), { columns: COLUMNS });
    rows.forEach((r) => writer.write(r));
    writer.end();
    return rows;
  }
}
