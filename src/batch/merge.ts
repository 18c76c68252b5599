/**
 * Joins batch outputs (shards of one archive, or runs of several days) into one: every
 * capture's latest complete set, sorted by capture name, and the aggregate over all of them.
 */
import { UserError } from '../errors.js';
import { BatchAggregator, type AggregateRecord } from './aggregate.js';
import { compareNames } from './glob.js';
import type { CaptureResultSet } from './records.js';
import { readResultsFile } from './results-file.js';

export interface MergedResults {
  sets: CaptureResultSet[];
  aggregate: AggregateRecord;
  /** per file: lines that were not records, and sets cut off by an interrupted run */
  problems: { file: string; badLines: number; incomplete: number }[];
}

/** Files are read in the order given; a capture in several of them keeps its last set. */
export async function mergeResultFiles(files: readonly string[]): Promise<MergedResults> {
  const latest = new Map<string, CaptureResultSet>();
  const problems: MergedResults['problems'] = [];
  for (const file of files) {
    const parsed = await readResultsFile(file);
    // a file with no batch record at all is a mistake (a capture, an analyze report), not an empty shard
    if (parsed.records === 0) {
      throw new UserError(`${file}: not batch output (no capture, error or aggregate record in ${parsed.badLines} non-empty line(s))`, 2, [
        'merge reads what `leakscope batch CAPTURES --out results.ndjson` writes',
      ]);
    }
    if (parsed.badLines > 0 || parsed.incomplete > 0) problems.push({ file, badLines: parsed.badLines, incomplete: parsed.incomplete });
    for (const set of parsed.sets) latest.set(set.capture.capture, set);
  }
  const sets = [...latest.values()].sort((a, b) => compareNames(a.capture.capture, b.capture.capture));
  const agg = new BatchAggregator();
  for (const s of sets) agg.add(s);
  return { sets, aggregate: agg.aggregate(), problems };
}
