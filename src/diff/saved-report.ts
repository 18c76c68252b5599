/**
 * A side of `diff` given as a saved `analyze --format json` report instead of a capture. The
 * file is checked for the report's shape, and what is wrong is said with the member's path.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import type { AnalyzeResult } from '../engine/analyze.js';
import { UserError } from '../errors.js';

/** Whether the file starts like a JSON document (a capture's first byte is never `{`). */
export function looksLikeJsonReport(file: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return false; // the capture reader reports the missing file in its own words
  }
  try {
    const head = Buffer.alloc(64);
    const n = readSync(fd, head, 0, head.length, 0);
    return /^\s*\{/.test(head.subarray(0, n).toString('latin1'));
  } finally {
    closeSync(fd);
  }
}

function fail(file: string, what: string): never {
  throw new UserError(`${file}: not an analyze --format json report: ${what}`, 2, [`leakscope analyze CAPTURE --format json > ${file}`]);
}

/** Reads and checks a saved report: a header (captures) and a `hosts` array of host records. */
export function readSavedReport(file: string): AnalyzeResult {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    fail(file, (err as Error).message);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) fail(file, 'expected a JSON object at the top');
  const o = doc as Record<string, unknown>;
  if (!Array.isArray(o.hosts)) fail(file, 'expected a "hosts" array');
  if (!Array.isArray(o.captures)) fail(file, 'expected a "captures" array');
  o.hosts.forEach((h: unknown, i: number) => {
    const r = h as Record<string, unknown> | null;
    if (typeof r !== 'object' || r === null || typeof r.host !== 'string') fail(file, `hosts[${i}]: expected an object with a "host" string`);
    if (!Array.isArray(r.leaks)) fail(file, `hosts[${i}] (${r.host}): expected a "leaks" array`);
    (r.leaks as unknown[]).forEach((l, j) => {
      const x = l as Record<string, unknown> | null;
      if (typeof x !== 'object' || x === null || typeof x.kind !== 'string' || typeof x.value !== 'string')
        fail(file, `hosts[${i}].leaks[${j}]: expected "kind" and "value" strings`);
    });
  });
  const { hosts, ...header } = o;
  return { header: header as unknown as AnalyzeResult['header'], hosts: hosts as AnalyzeResult['hosts'] };
}
