import { Args, Flags } from '@oclif/core';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { LeakscopeCommand } from '../cli/base.js';
import { KEY_FLAGS, keyStoreFromFlags } from '../cli/keys.js';
import { readIdentifiers } from '../cli/identifiers.js';
import { loadSignatures, resolveVendor } from '../cli/signatures.js';
import { openGeoFromFlags } from '../cli/geo.js';
import { EXIT, UserError } from '../src/errors.js';
import { BatchAggregator, type AggregateRecord } from '../src/batch/aggregate.js';
import { dropDuplicateContent, parseShard, resolveInputs, selectShard } from '../src/batch/inputs.js';
import { BATCH_FORMATS, BatchOutput, type BatchFormat } from '../src/batch/output.js';
import { BatchProgressLine } from '../src/batch/progress.js';
import { doneCaptures, readResultsFile, setsToKeep } from '../src/batch/results-file.js';
import { resultSetLines } from '../src/batch/records.js';
import { defaultJobs, runBatch, type BatchRunStats } from '../src/batch/run.js';
import type { BatchConfig } from '../src/batch/task.js';
// html engineer (#22): the HTML report of a batch
import { writeHtmlReport } from '../src/report/html/index.js';
import { parseWindowFlags } from '../cli/windows.js';
import { TOOL_VERSION } from '../src/version.js';

export interface BatchSummary {
  stats: BatchRunStats;
  aggregate: AggregateRecord;
}

export default class Batch extends LeakscopeCommand {
  static override summary = 'analyse a capture archive: every capture alone, in parallel, plus what links them';
  static override description =
    'Takes capture files, directories (walked recursively for *.pcap, *.pcapng, *.cap, their .gz forms and tar archives), ' +
    'globs (*, **, ?, [...]), tar/tar.gz/tgz archives (read as streams, never extracted) and, with --from-stdin, a list of paths. ' +
    'For every capture it writes a capture record and the host records `analyze --format ndjson` gives for that file alone, then an ' +
    'aggregate: hosts × captures and device identifiers seen in more than one capture. ' +
    'Exit codes: 0 all captures read completely; 2 bad usage; 3 a capture could not be read or was damaged (its error or partial result is in the output).';
  static override examples = [
    '<%= config.bin %> batch captures/ --out results.ndjson',
    '<%= config.bin %> batch "archive/**/*.pcap.gz" phones-2020-05.tar.gz --jobs 2',
    'find /data -name "*.pcapng" -mtime -1 | <%= config.bin %> batch --from-stdin --out today.ndjson',
    '<%= config.bin %> batch captures/ --out results.ndjson --resume',
    '<%= config.bin %> batch captures/ --shard 1/4 --out shard-1.ndjson',
  ];
  static override strict = false;
  // ignoreStdin: oclif would otherwise take a piped path list as one argument
  static override args = { input: Args.string({ description: 'capture files, directories, globs or tar archives', ignoreStdin: true }) };
  static override flags = {
    format: Flags.string({
      char: 'f',
      options: [...BATCH_FORMATS],
      default: 'ndjson',
      summary: 'output format (table and json show the aggregate)',
      helpGroup: 'OUTPUT',
    }),
    out: Flags.string({ char: 'o', summary: 'write NDJSON records to this file instead of standard output' }),
    resume: Flags.boolean({
      summary: 'skip captures already in --out (same path and SHA-256), retry those that failed, and append the rest',
      dependsOn: ['out'],
    }),
    jobs: Flags.integer({ char: 'j', min: 1, summary: 'worker threads (default: all cores)' }),
    shard: Flags.string({ summary: 'process only shard K of N (K/N, K from 1 as in Jest and Playwright: 1/4 … 4/4)' }),
    'from-stdin': Flags.boolean({ summary: 'read capture paths from standard input, one per line' }),
    'all-hosts': Flags.boolean({ summary: 'also list hosts no signature matched' }),
    vendor: Flags.string({ summary: 'only hosts of this vendor (e.g. Xiaomi, "Sensors Data" or its pack id sensorsdata; any letter case)' }),
    identifier: Flags.string({ multiple: true, multipleNonGreedy: true, summary: 'a device identifier to look for, kind=value' }),
    'identifiers-file': Flags.string({ summary: 'a file of kind=value lines to look for' }),
    redact: Flags.boolean({ summary: 'replace leaked values by salted hashes (one salt for the whole batch)' }),
    salt: Flags.string({ summary: 'salt for --redact (random when omitted)', dependsOn: ['redact'] }),
    signatures: Flags.string({ multiple: true, multipleNonGreedy: true, summary: 'an extra signature pack (JSON)' }),
    'no-geo': Flags.boolean({ summary: 'do not geolocate servers' }),
    'geo-db': Flags.string({ summary: 'a MaxMind GeoLite2/GeoIP2 City or Country .mmdb' }),
    'asn-db': Flags.string({ summary: 'a MaxMind GeoLite2/GeoIP2 ASN .mmdb' }),
    window: Flags.string({
      multiple: true,
      multipleNonGreedy: true,
      summary: "tag findings inside an experiment window, LABEL=START..END (ISO 8601 times, or offsets from each capture's start like +90s)",
    }),
    ...KEY_FLAGS,
  };

  async run(): Promise<BatchSummary> {
    const { argv, flags } = await this.parse(Batch);
    const limits = this.limitsFrom(flags);
    const format: BatchFormat = flags.json ? 'json' : (flags.format as BatchFormat);
    const args = argv as string[];
    if (args.length === 0 && !flags['from-stdin']) {
      throw new UserError('no inputs: name capture files, directories, globs or archives', 2, [
        'leakscope batch captures/ --out results.ndjson',
        'find … | leakscope batch --from-stdin',
      ]);
    }
    if (args.includes('-')) throw new UserError('batch does not read a capture from standard input; use --from-stdin for a list of paths');
    let shard: { index: number; count: number } | null = null;
    if (flags.shard !== undefined) {
      try {
        shard = parseShard(flags.shard);
      } catch (err) {
        throw new UserError((err as Error).message, 2, [
          'shards are numbered from 1: --shard 1/4 … --shard 4/4 (Kubernetes: "$((JOB_COMPLETION_INDEX + 1))/4")',
        ]);
      }
    }
    // check the packs and databases here, once, so a bad file is one usage error, not N worker failures
    const signatures = loadSignatures(flags.signatures ?? []);
    const vendor = resolveVendor(signatures, flags.vendor);
    const geoDbs = openGeoFromFlags({ noGeo: flags['no-geo'], geoDb: flags['geo-db'], asnDb: flags['asn-db'] });
    keyStoreFromFlags(flags, limits);
    const config: BatchConfig = {
      limits,
      signatureFiles: flags.signatures ?? [],
      geo: { enabled: !flags['no-geo'], cityDb: flags['geo-db'], asnDb: flags['asn-db'] },
      identifiers: readIdentifiers(flags.identifier ?? [], flags['identifiers-file']),
      allHosts: flags['all-hosts'],
      vendor,
      redactSalt: flags.redact ? (flags.salt ?? randomBytes(16).toString('hex')) : undefined,
      windows: parseWindowFlags(flags.window),
      keylogFiles: flags.keylog,
      keylogLenient: flags['keylog-lenient'],
    };

    const listed = flags['from-stdin'] ? await readPathList(process.stdin) : [];
    const resolved = await resolveInputs(args, listed);
    // not silent even with --quiet: an input the user named produced nothing
    for (const g of resolved.unmatched) process.stderr.write(`leakscope: ${g}: no file matches\n`);
    // one capture given twice (same SHA-256) is analysed once; before sharding, so every shard drops the same copies
    const unique = await dropDuplicateContent(resolved.items);
    for (const d of unique.duplicates) this.note(flags, `${d.path}: same content (SHA-256) as ${d.sameAs}; analysed once, as ${d.sameAs}`);
    const items = shard ? selectShard(unique.items, shard) : unique.items;

    const aggregator = new BatchAggregator();
    let done = new Map<string, string>();
    let fd: number | null = null;
    if (flags.out) {
      if (flags.resume && existsSync(flags.out)) {
        const previous = await readResultsFile(flags.out);
        const kept = setsToKeep(previous.sets);
        for (const set of kept) aggregator.add(set);
        done = doneCaptures(kept);
        if (kept.length === previous.sets.length) {
          // drop the old aggregate and anything an interrupted run left half-written
          truncateSync(flags.out, previous.keepBytes);
        } else {
          // failed captures are retried: their error records go, so each capture keeps one outcome
          const tmp = `${flags.out}.${process.pid}.tmp`;
          writeFileSync(tmp, kept.map(resultSetLines).join(''));
          renameSync(tmp, flags.out);
        }
      }
      try {
        fd = openSync(flags.out, flags.resume ? 'a' : 'w');
      } catch (err) {
        throw new UserError(`cannot write ${flags.out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    }

    const sink = this.stdoutSink(flags);
    const output = new BatchOutput(format, sink, fd, (sets, aggregate) =>
      writeHtmlReport(sink, {
        kind: 'batch',
        sets,
        aggregate,
        limits,
        tool: { name: 'leakscope', version: TOOL_VERSION },
        geo: geoDbs.sources,
        signatures: { version: signatures.version, packs: signatures.packs },
      }),
    );
    const progress = new BatchProgressLine({ quiet: flags.quiet });
    let stats: BatchRunStats;
    try {
      stats = await runBatch({
        items,
        config,
        jobs: flags.jobs ?? defaultJobs(),
        done,
        onResult: (set, lines) => {
          aggregator.add(set);
          output.write(set, lines);
        },
        onProgress: (p) => progress.update(p),
      });
      progress.done();
      const aggregate = aggregator.aggregate();
      await output.finish(aggregate);
      const failed = stats.errors + stats.partial;
      this.note(
        flags,
        `${stats.captures} capture(s) analysed (${stats.ok} ok, ${stats.partial} partial, ${stats.errors} failed)` +
          (stats.skipped ? `, ${stats.skipped} already in ${flags.out}` : '') +
          ` with ${stats.jobs || 1} worker(s)`,
      );
      if (failed > 0 || resolved.unmatched.length > 0) this.exit(EXIT.partial);
      return { stats, aggregate };
    } finally {
      if (fd !== null) closeSync(fd);
    }
  }
}

async function readPathList(stream: NodeJS.ReadableStream): Promise<string[]> {
  let text = '';
  for await (const chunk of stream) text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
  return text
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() !== '');
}
