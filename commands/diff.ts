import { Args, Flags } from '@oclif/core';
import { LeakscopeCommand } from '../cli/base.js';
import { analyzeCaptures, type AnalyzeResult } from '../src/engine/analyze.js';
import { loadSignatures, resolveVendor } from '../cli/signatures.js';
import { notDecodedLine } from '../src/engine/not-decoded.js';
import { openGeoFromFlags } from '../cli/geo.js';
import { readIdentifiers } from '../cli/identifiers.js';
import { KEY_FLAGS, keyStoreFromFlags } from '../cli/keys.js';
import { parseWindowFlags } from '../cli/windows.js';
import { createWriter } from '../src/report/writers/index.js';
import { diffResults, sendsAnythingNew, type DiffResult, type HostDiff } from '../src/diff/hosts-diff.js';
import { DIFF_SCHEMA, type DiffCsvPart } from '../src/report/schemas/diff.js';
import { looksLikeJsonReport, readSavedReport } from '../src/diff/saved-report.js';
import { writeHtmlReport } from '../src/report/html/index.js';
import { EXIT, UserError } from '../src/errors.js';
import type { Limits } from '../src/limits.js';
import type { Sink } from '../src/report/sink.js';

export default class Diff extends LeakscopeCommand {
  static override summary = 'compare two captures or saved reports: recipients new, gone and common, and what each host is sent in B and not in A';
  static override description =
    'A and B are captures (analysed alike) or saved `analyze --format json` reports, e.g. firmware A against B, or incognito on against off. ' +
    'Every host of either side is listed once: new (only in B), gone (only in A) or common, with the leaked (kind, value) pairs only B sends it and only A sent it. ' +
    'Exit codes: 0 compared; 1 B sends something A did not and --fail-on-new given; 2 bad usage or an input that is neither a capture nor a report; 3 a capture was damaged.';
  static override examples = [
    '<%= config.bin %> diff a.pcap phone.pcap',
    '<%= config.bin %> analyze a.pcap --format json > a.json && <%= config.bin %> diff a.json phone.pcap --fail-on-new --format ndjson',
    '<%= config.bin %> diff a.pcap phone.pcap --window incognito=+60s..+5m --format html > diff.html',
  ];
  static override args = {
    a: Args.string({ description: 'the reference: a capture or an analyze --format json report', required: true }),
    b: Args.string({ description: 'the one compared with it', required: true }),
  };
  static override flags = {
    'fail-on-new': Flags.boolean({ summary: 'exit 1 when B sends anything A did not (a new recipient or a new value)' }),
    'all-hosts': Flags.boolean({ summary: 'also compare hosts no signature matched (captures only)' }),
    vendor: Flags.string({ summary: 'only hosts of this vendor, by name or pack id in any letter case (captures only)' }),
    identifier: Flags.string({ multiple: true, multipleNonGreedy: true, summary: 'a device identifier to look for, kind=value (captures only)' }),
    'identifiers-file': Flags.string({ summary: 'a file of kind=value lines to look for (captures only)' }),
    signatures: Flags.string({ multiple: true, multipleNonGreedy: true, summary: 'an extra signature pack (JSON)' }),
    'no-geo': Flags.boolean({ summary: 'do not geolocate servers' }),
    'geo-db': Flags.string({ summary: 'a MaxMind GeoLite2/GeoIP2 City or Country .mmdb' }),
    'asn-db': Flags.string({ summary: 'a MaxMind GeoLite2/GeoIP2 ASN .mmdb' }),
    window: Flags.string({ multiple: true, multipleNonGreedy: true, summary: 'tag findings inside an experiment window, LABEL=START..END (captures only)' }),
    ...KEY_FLAGS,
  };

  async run(): Promise<DiffResult> {
    const { args, flags } = await this.parse(Diff);
    const limits = this.limitsFrom(flags);
    if (args.a === '-' && args.b === '-') throw new UserError('standard input (-) can be read only once');
    const windows = parseWindowFlags(flags.window);
    const identifiers = readIdentifiers(flags.identifier ?? [], flags['identifiers-file']);
    const captureSide = [args.a, args.b].some((f) => f === '-' || !looksLikeJsonReport(f));
    const signatures = captureSide ? loadSignatures(flags.signatures ?? []) : undefined;
    const vendor = signatures ? resolveVendor(signatures, flags.vendor) : flags.vendor;
    // one key store for both sides (a key log may hold the sessions of A and of B)
    const keyStore = captureSide ? keyStoreFromFlags(flags, limits) : undefined;
    const geo = captureSide ? openGeoFromFlags({ noGeo: flags['no-geo'], geoDb: flags['geo-db'], asnDb: flags['asn-db'] }) : undefined;

    const side = async (file: string): Promise<AnalyzeResult> => {
      if (file !== '-' && looksLikeJsonReport(file)) return readSavedReport(file);
      const r = await analyzeCaptures([{ name: file, source: file === '-' ? process.stdin : file }], {
        limits,
        signatures,
        geo,
        identifiers,
        windows,
        allHosts: flags['all-hosts'],
        vendor,
        keyStore,
        stop: this.stopSignal(flags),
      });
      const c = r.header.captures[0];
      if (c.status === 'error') throw new UserError(c.message ?? `${file}: not a capture`);
      if (c.damage)
        this.note(
          flags,
          `${file}: damaged at byte ${c.damage.offset} after ${c.damage.frame} packets: expected ${c.damage.expected}; everything before it is compared`,
        );
      for (const n of c.not_decoded ?? []) this.note(flags, `${file}: ${notDecodedLine(n)}`);
      if (c.interrupted) this.note(flags, `${file}: ${c.message}; what was read is compared`);
      return r;
    };
    const a = await side(args.a);
    if (this.interrupted) throw new UserError(`interrupted while reading ${args.a}: nothing to compare it with`, EXIT.interrupted);
    const b = await side(args.b);
    const diff = diffResults(a, b, { a: args.a, b: args.b });
    await this.print(diff, this.outputFormat(flags), this.stdoutSink(flags), limits);

    if (this.interrupted) this.exit(EXIT.interrupted);
    if (flags['fail-on-new'] && sendsAnythingNew(diff)) this.exit(EXIT.leaksFound);
    if ([...a.header.captures, ...b.header.captures].some((c) => c.status === 'partial')) this.exit(EXIT.partial);
    return diff;
  }

  private async print(diff: DiffResult, format: ReturnType<LeakscopeCommand['outputFormat']>, sink: Sink, limits: Limits): Promise<void> {
    if (format === 'html') return writeHtmlReport(sink, { kind: 'diff', diff, limits });
    const s = diff.summary;
    const w = await createWriter<HostDiff, DiffCsvPart>(format, sink, {
      ...DIFF_SCHEMA,
      jsonEnvelope: {
        head: () => ({
          type: 'diff',
          a: { input: diff.a.label, captures: diff.a.header.captures },
          b: { input: diff.b.label, captures: diff.b.header.captures },
          summary: s,
        }),
        key: 'hosts',
      },
      table: {
        groupBy: (d) => (d.change === 'new' ? 'New recipients (only in B)' : d.change === 'gone' ? 'Gone recipients (only in A)' : 'Common recipients'),
        emphasise: (d) => d.change === 'new' || d.leaks_new.length > 0,
        footer: () => [
          `A: ${diff.a.label}  B: ${diff.b.label}`,
          `${s.hosts_new} new, ${s.hosts_gone} gone, ${s.hosts_common} common host(s) (${s.hosts_changed} changed); ${s.leaks_new} value(s) sent only in B, ${s.leaks_gone} only in A`,
        ],
      },
    });
    for (const d of diff.hosts) w.write(d);
    w.end();
  }
}
