/**
 * Reading batch output back (for --resume and `merge`). The file is a log: a capture's set is
 * its `capture` record and exactly `hosts` host records after it (or one `error` record); a set
 * whose host records are missing was cut off by an interrupted run and does not count. When the
 * same capture appears more than once, the later set wins. `aggregate` records are ignored (they
 * are recomputed).
 */
import { readFile } from 'node:fs/promises';
import type { BatchHostRecord, CaptureRecord, CaptureResultSet } from './records.js';

export interface ResultsFile {
  /** complete sets in file order */
  sets: CaptureResultSet[];
  /**
   * bytes of the file up to the end of its last complete set with nothing incomplete before it:
   * an interrupted or finished run's file is cut here before appending (drops a torn last line,
   * a half-written set and the old aggregate)
   */
  keepBytes: number;
  /** lines that were not JSON records of a known type */
  badLines: number;
  /** capture sets whose host records never all arrived (left out of `sets`) */
  incomplete: number;
  /** lines that were batch records (capture, host, error, aggregate): none means the file is not batch output */
  records: number;
}

/** Parses batch NDJSON text. */
export function parseResults(text: string): ResultsFile {
  const sets: CaptureResultSet[] = [];
  const open = new Map<string, { set: CaptureResultSet; want: number }>();
  let keepBytes = 0;
  let badLines = 0;
  let incomplete = 0;
  let records = 0;
  let clean = true; // nothing incomplete or unreadable so far

  let pos = 0;
  let bytePos = 0; // keepBytes is in bytes (UTF-8), pos in UTF-16 units
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    if (nl < 0) {
      // no newline: a torn last line
      if (text.slice(pos).trim()) badLines++;
      break;
    }
    const line = text.slice(pos, nl);
    pos = nl + 1;
    bytePos += Buffer.byteLength(line) + 1;
    const lineEnd = bytePos;
    if (!line.trim()) continue;
    let rec: { type?: unknown; capture?: unknown; hosts?: unknown };
    try {
      rec = JSON.parse(line);
    } catch {
      badLines++;
      clean = false;
      continue;
    }
    if (rec === null || typeof rec !== 'object' || typeof rec.type !== 'string') {
      badLines++;
      clean = false;
      continue;
    }
    if (rec.type === 'aggregate') {
      records++;
      continue;
    }
    if (typeof rec.capture !== 'string') {
      badLines++;
      clean = false;
      continue;
    }
    const name = rec.capture;
    if (rec.type === 'error') {
      sets.push({ capture: rec as CaptureResultSet['capture'], hosts: [] });
    } else if (rec.type === 'capture') {
      const want = typeof rec.hosts === 'number' ? rec.hosts : 0;
      const set: CaptureResultSet = { capture: rec as unknown as CaptureRecord, hosts: [] };
      if (open.has(name)) {
        clean = false; // the earlier one never completed
        incomplete++;
      }
      if (want === 0) {
        open.delete(name);
        sets.push(set);
      } else {
        open.set(name, { set, want });
      }
    } else if (rec.type === 'host') {
      const o = open.get(name);
      if (!o) {
        badLines++;
        clean = false;
        continue;
      }
      o.set.hosts.push(rec as unknown as BatchHostRecord);
      if (o.set.hosts.length === o.want) {
        open.delete(name);
        sets.push(o.set);
      }
    } else {
      badLines++;
      clean = false;
      continue;
    }
    records++;
    if (clean && open.size === 0) keepBytes = lineEnd;
  }
  return { sets, keepBytes, badLines, incomplete: incomplete + open.size, records };
}

export async function readResultsFile(file: string): Promise<ResultsFile> {
  return parseResults(await readFile(file, 'utf8'));
}

/**
 * What a resumed run keeps of a results file: each capture's last set, in file order, without
 * those that failed (an error record): they are retried, and their new outcome is then the
 * capture's only one.
 */
export function setsToKeep(sets: readonly CaptureResultSet[]): CaptureResultSet[] {
  const last = new Map<string, CaptureResultSet>();
  for (const s of sets) {
    last.delete(s.capture.capture); // re-inserted: file order of the last set
    last.set(s.capture.capture, s);
  }
  return [...last.values()].filter((s) => s.capture.type === 'capture');
}

/** Captures recorded with a result (ok or partial; errors are retried): name → SHA-256. */
export function doneCaptures(sets: readonly CaptureResultSet[]): Map<string, string> {
  const done = new Map<string, string>();
  for (const s of sets) {
    if (s.capture.type === 'capture') done.set(s.capture.capture, s.capture.sha256);
    else done.delete(s.capture.capture);
  }
  return done;
}
