import { Args, Flags } from '@oclif/core';
import { LeakscopeCommand } from '../../cli/base.js';
import { loadSignatures } from '../../cli/signatures.js';
import { createWriter } from '../../src/report/writers/index.js';
import { matchText, SIGNATURE_HIT_SCHEMA, type SignatureHitRow as HitRow } from '../../src/report/schemas/signature.js';

export default class SignaturesTest extends LeakscopeCommand {
  static override summary = 'show which signatures match a host name';
  static override examples = [
    '<%= config.bin %> signatures test tracking.intl.miui.com',
    '<%= config.bin %> signatures test a.example.com --signatures mine.json',
  ];
  static override strict = false;
  static override args = { host: Args.string({ description: 'host name(s)', required: true }) };
  static override flags = { signatures: Flags.string({ multiple: true, multipleNonGreedy: true, summary: 'also load this pack (JSON)' }) };

  async run(): Promise<HitRow[]> {
    const { argv, flags } = await this.parse(SignaturesTest);
    this.limitsFrom(flags);
    const db = loadSignatures(flags.signatures ?? []);
    const rows: HitRow[] = [];
    for (const host of argv as string[]) {
      const hits = db.matchHost(host);
      if (hits.length === 0) rows.push({ host, id: null, vendor: null, category: null, alert: false, on: null, match: null });
      for (const h of hits)
        rows.push({
          host,
          id: h.signature.id,
          vendor: h.signature.vendor,
          category: h.signature.category,
          alert: h.signature.alert,
          on: h.on,
          match: matchText(h.signature),
        });
    }
    const writer = await createWriter<HitRow>(this.outputFormat(flags), this.stdoutSink(flags), SIGNATURE_HIT_SCHEMA);
    rows.forEach((r) => writer.write(r));
    writer.end();
    return rows;
  }
}
