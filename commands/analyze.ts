import { Args, Flags } from '@oclif/core';
import { randomBytes } from 'node:crypto';
import { LeakscopeCommand } from '../cli/base.js';
import { KEY_FLAGS, keyStoreFromFlags } from '../cli/keys.js';
import { analyzeCaptures, type AnalyzeResult } from '../src/engine/analyze.js';
import type { HostRecord } from '../src/engine/hosts.js';
import { loadSignatures, resolveVendor } from '../cli/signatures.js';
import { openGeoFromFlags } from '../cli/geo.js';
import { readIdentifiers } from '../cli/identifiers.js';
import { createWriter, type RecordWriter } from '../src/report/writers/index.js';
import { HOST_SCHEMA, type HostCsvPart } from '../src/report/schemas/host.js';
import { captureStatusLines, reportFooter, reportSummary } from '../src/report/footer.js';
import { notDecodedLine } from '../src/engine/not-decoded.js';
import { Progress } from '../src/report/progress.js';
import type { Sink } from '../src/report/sink.js';
import { EXIT, UserError } from '../src/errors.js';
import type { Limits } from '../src/limits.js';
// html engineer (#22): experiment windows and the HTML report
import { parseWindowFlags } from '../cli/windows.js';
import { RequestActivity, writeHtmlReport } from '../src/report/html/index.js';

export default class Analyze extends LeakscopeCommand {
  static override summary = 'report per host what a capture sent to Xiaomi and Sensors Data, and where the servers are';
  static override description =
    'Reassembles TCP, reads TLS/QUIC server names, HTTP requests and DNS, matches them against the vendor signature packs, ' +
    'peels url-encoding, base64, gzip and JSON off plaintext payloads to find personal data, and geolocates the servers. ' +
    'Exit codes: 0 analysed; 1 leaks found and --fail-on-leak given; 2 bad usage or an input that is not a capture; 3 a capture was damaged (partial result).';
  static override examples = [
    '<%= config.bin %> analyze fixtures/captures/mi_browser_demo.pcap',
    '<%= config.bin %> analyze phone.pcap --format ndjson --identifier imei=864811045123671',
    'tcpdump -i wlan0 -w - | <%= config.bin %> analyze - --fail-on-leak --format json',
  ];
  static override strict = false;
  static override args = { capture: Args.string({ description: 'capture file(s), or - for standard input', required: true }) };
  static override flags = {
    'all-hosts': Flags.boolean({ summary: 'also list hosts no signature matched' }),
    vendor: Flags.string({ summary: 'only hosts of this vendor (e.g. Xiaomi, "Sensors Data" or its pack id sensorsdata; any letter case)' }),
    'fail-on-leak': Flags.boolean({ summary: 'exit 1 when any personal data was found' }),
    identifier: Flags.string({
      multiple: true,
      multipleNonGreedy: true,
      summary: 'a device identifier to look for, kind=value (also found hashed or in other letter cases)',
    }),
    'identifiers-file': Flags.string({ summary: 'a file of kind=value lines to look for' }),
    redact: Flags.boolean({ summary: 'replace leaked values by salted hashes (shareable report)' }),
    salt: Flags.string({ summary: 'salt for --redact (random when omitted; reuse it to compare reports)', dependsOn: ['redact'] }),
    signatures: Flags.string({ multiple: true, multipleNonGreedy: true, summary: 'an extra signature pack (JSON, same schema as the bundled ones)' }),
    'no-geo': Flags.boolean({ summary: 'do not geolocate servers' }),
    'geo-db': Flags.string({ summary: 'a MaxMind GeoLite2/GeoIP2 City or Country .mmdb instead of the bundled DB-IP Lite' }),
    'asn-db': Flags.string({ summary: 'a MaxMind GeoLite2/GeoIP2 ASN .mmdb instead of the bundled ASN table' }),
    window: Flags.string({
      multiple: true,
      multipleNonGreedy: true,
      summary: 'tag findings inside an experiment window, LABEL=START..END (ISO 8601 times or offsets like +90s, +1m30s)',
    }),
    ...KEY_FLAGS,
  };

  async run(): Promise<AnalyzeResult> {
    const { argv, flags } = await this.parse(Analyze);
    const limits = this.limitsFrom(flags);
    const keyStore = keyStoreFromFlags(flags, limits);
    const identifiers = readIdentifiers(flags.identifier ?? [], flags['identifiers-file']);
    const signatures = loadSignatures(flags.signatures ?? []);
    const vendor = resolveVendor(signatures, flags.vendor);
    const windows = parseWindowFlags(flags.window);
    const geo = openGeoFromFlags({ noGeo: flags['no-geo'], geoDb: flags['geo-db'], asnDb: flags['asn-db'] });
    const files = argv as string[];
    if (files.filter((f) => f === '-').length > 1) throw new UserError('standard input (-) can be read only once');

    const format = this.outputFormat(flags);
    // html: the timeline also shows requests that carried nothing (not in the JSON report)
    const activity = format === 'html' ? new RequestActivity(limits.htmlTimelineRequestsPerHost) : undefined;
    const progress = new Progress('reading', { quiet: flags.quiet });
    const result = await analyzeCaptures(
      files.map((name) => ({ name, source: name === '-' ? process.stdin : name })),
      {
        limits,
        keyStore,
        signatures,
        geo,
        identifiers,
        allHosts: flags['all-hosts'],
        vendor,
        windows,
        onObservation: activity?.observe,
        redact: flags.redact ? { salt: flags.salt ?? randomBytes(16).toString('hex') } : undefined,
        onProgress: (file, d, t) => progress.update(d, t, file),
        stop: this.stopSignal(flags),
      },
    );
    progress.done();

    const captures = result.header.captures;
    if (captures.length === 1 && captures[0].status === 'error') throw new UserError(captures[0].message ?? 'not a capture');
    for (const c of captures) {
      if (c.status === 'error') process.stderr.write(`leakscope: ${c.message}\n`);
      else if (c.damage)
        this.note(
          flags,
          `${c.file}: damaged at byte ${c.damage.offset} after ${c.damage.frame} packets: expected ${c.damage.expected}; everything before it is reported`,
        );
      for (const n of c.not_decoded ?? []) this.note(flags, `${c.file}: ${notDecodedLine(n)}`);
    }

    await this.print(result, format, this.stdoutSink(flags), limits, activity);

    const leaked = result.hosts.some((h) => h.leaks.length > 0);
    if (this.interrupted) this.exit(EXIT.interrupted);
    if (captures.some((c) => c.status === 'error')) this.exit(EXIT.badInput);
    if (flags['fail-on-leak'] && leaked) this.exit(EXIT.leaksFound);
    if (captures.some((c) => c.status === 'partial')) this.exit(EXIT.partial);
    return result;
  }

  private async print(
    result: AnalyzeResult,
    format: ReturnType<LeakscopeCommand['outputFormat']>,
    sink: Sink,
    limits: Limits,
    activity?: RequestActivity,
  ): Promise<void> {
    if (format === 'html') return writeHtmlReport(sink, { kind: 'analyze', result, limits, activity });
    const writer: RecordWriter<HostRecord> = await createWriter<HostRecord, HostCsvPart>(format, sink, {
      ...HOST_SCHEMA,
      jsonEnvelope: { head: () => ({ ...result.header }), key: 'hosts' },
      table: {
        groupBy: (h) => (h.vendor ? `${h.vendor}${h.alert ? '' : ' (vendor infrastructure)'}` : 'No signature'),
        emphasise: (h) => h.leaks.length > 0 && h.transport.includes('http'),
        footer: () => [reportSummary(result), ...captureStatusLines(result), ...reportFooter(result)],
      },
    });
    for (const h of result.hosts) writer.write(h);
    writer.end();
  }
}
