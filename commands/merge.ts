import { Args, Flags } from '@oclif/core';
import { closeSync, openSync } from 'node:fs';
import { LeakscopeCommand } from '../cli/base.js';
import { UserError } from '../src/errors.js';
import { mergeResultFiles, type MergedResults } from '../src/batch/merge.js';
import { BATCH_FORMATS, BatchOutput, type BatchFormat } from '../src/batch/output.js';

export default class Merge extends LeakscopeCommand {
  static override summary = 'combine batch outputs (e.g. the shards of one archive) into one result with a common aggregate';
  static override description =
    "Reads NDJSON files written by `leakscope batch` (a file that is not batch output is exit 2), keeps every capture's last complete record set (a capture in several files: " +
    'the later file wins), and writes them sorted by capture, followed by the aggregate over all of them — the same aggregate an ' +
    'unsharded run gives. Sets cut off by an interrupted run are left out and reported on stderr.';
  static override examples = [
    '<%= config.bin %> merge shard-0.ndjson shard-1.ndjson shard-2.ndjson shard-3.ndjson --out results.ndjson',
    '<%= config.bin %> merge results/*.ndjson --format table',
  ];
  static override strict = false;
  static override args = { file: Args.string({ description: 'batch output files (NDJSON)', required: true, ignoreStdin: true }) };
  static override flags = {
    format: Flags.string({
      char: 'f',
      options: [...BATCH_FORMATS],
      default: 'ndjson',
      summary: 'output format (table and json show the aggregate)',
      helpGroup: 'OUTPUT',
    }),
    out: Flags.string({ char: 'o', summary: 'write the merged NDJSON to this file instead of standard output' }),
  };

  async run(): Promise<MergedResults> {
    const { argv, flags } = await this.parse(Merge);
    this.limitsFrom(flags); // --debug and --limit are accepted like everywhere
    const format: BatchFormat = flags.json ? 'json' : (flags.format as BatchFormat);
    const files = argv as string[];
    let merged: MergedResults;
    try {
      merged = await mergeResultFiles(files);
    } catch (err) {
      if (err instanceof UserError) throw err;
      const e = err as NodeJS.ErrnoException;
      throw new UserError(`cannot read ${e.path ?? 'an input'}: ${e.code ?? e.message}`);
    }
    for (const p of merged.problems) {
      this.note(flags, `${p.file}: left out ${p.badLines} line(s) that were not batch records and ${p.incomplete} capture(s) whose host records were cut off`);
    }

    let fd: number | null = null;
    if (flags.out) {
      try {
        fd = openSync(flags.out, 'w');
      } catch (err) {
        throw new UserError(`cannot write ${flags.out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    }
    try {
      const output = new BatchOutput(format, this.stdoutSink(flags), fd);
      for (const set of merged.sets) output.write(set);
      await output.finish(merged.aggregate);
    } finally {
      if (fd !== null) closeSync(fd);
    }
    return merged;
  }
}
