/**
 * Where batch and merge records go. NDJSON is streamed, one write per capture set so sets never
 * interleave; `table` shows only the aggregate; `json` is one document at the end. With an output
 * file, the file always receives NDJSON and standard output gets the aggregate in the chosen
 * format (table or json).
 */
import { safeJson } from '../report/escape.js';
import { writeSync } from 'node:fs';
import { createWriter } from '../report/writers/index.js';
import { AGGREGATE_CAPTURE_SCHEMA, AGGREGATE_HOST_SCHEMA, LINKED_IDENTIFIER_SCHEMA, type AggregateHostRow } from '../report/schemas/batch.js';
import type { Sink } from '../report/sink.js';
import type { AggregateCapture, AggregateRecord, LinkedIdentifier } from './aggregate.js';
import { resultSetLines, type CaptureResultSet } from './records.js';

export type BatchFormat = 'ndjson' | 'table' | 'json' | 'html';
export const BATCH_FORMATS: readonly BatchFormat[] = ['ndjson', 'table', 'json', 'html'];

/** Writes the HTML report of the whole batch (src/report/html/), given every set and the aggregate. */
export type BatchHtmlWriter = (sets: CaptureResultSet[], aggregate: AggregateRecord) => void;

export class BatchOutput {
  private readonly collected: unknown[] = [];
  /** html: every capture's full set, for the report written at the end */
  private readonly sets: CaptureResultSet[] = [];

  /**
   * @param stdout where the chosen format goes
   * @param fileFd an open output file (NDJSON), or null for none
   */
  constructor(
    private readonly format: BatchFormat,
    private readonly stdout: Sink,
    private readonly fileFd: number | null = null,
    private readonly html?: BatchHtmlWriter,
  ) {}

  /** `serialised`: the set's NDJSON lines when a worker made them (then `set` is slim) */
  write(set: CaptureResultSet, serialised?: string): void {
    const lines = serialised ?? resultSetLines(set);
    if (this.format === 'html') this.sets.push(serialised ? parseSetLines(serialised) : set);
    if (this.fileFd !== null) writeSync(this.fileFd, lines);
    else if (this.format === 'ndjson') this.stdout.write(lines);
    else if (this.format === 'json')
      this.collected.push(
        ...(serialised
          ? lines
              .trimEnd()
              .split('\n')
              .map((l) => JSON.parse(l) as unknown)
          : [set.capture, ...set.hosts]),
      );
  }

  async finish(aggregate: AggregateRecord): Promise<void> {
    const line = safeJson(aggregate) + '\n';
    if (this.fileFd !== null) writeSync(this.fileFd, line);
    switch (this.format) {
      case 'ndjson':
        if (this.fileFd === null) this.stdout.write(line);
        break;
      case 'json':
        this.stdout.write(safeJson(this.fileFd === null ? { records: this.collected, aggregate } : { aggregate }, 2) + '\n');
        break;
      case 'table':
        await writeAggregateTables(aggregate, this.stdout);
        break;
      case 'html':
        if (!this.html) throw new Error('BatchOutput: html format without an HTML writer');
        this.html(this.sets, aggregate);
        break;
    }
  }
}

/** A set back from its NDJSON lines (a worker's serialised set carries the full records). */
function parseSetLines(lines: string): CaptureResultSet {
  const [capture, ...hosts] = lines
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as unknown);
  return { capture, hosts } as CaptureResultSet;
}

/** The aggregate as three tables: hosts × captures, captures, identifiers linking captures. */
export async function writeAggregateTables(a: AggregateRecord, out: Sink): Promise<void> {
  const t = a.totals;
  const hosts = await createWriter<AggregateHostRow>('table', out, { ...AGGREGATE_HOST_SCHEMA, table: { title: 'Hosts across captures' } });
  for (const h of a.hosts) hosts.write({ ...h, total: t.captures });
  hosts.end();
  const captures = await createWriter<AggregateCapture>('table', out, { ...AGGREGATE_CAPTURE_SCHEMA, table: { title: 'Captures' } });
  for (const c of a.captures) captures.write(c);
  captures.end();
  const ids = await createWriter<LinkedIdentifier>('table', out, {
    ...LINKED_IDENTIFIER_SCHEMA,
    table: {
      title: 'Identifiers seen in more than one capture',
      footer: () => [
        `${t.captures} capture(s): ${t.ok} ok, ${t.partial} partial, ${t.error} failed; ${t.hosts} host(s); ${a.devices.length} device group(s) linked by identifiers`,
      ],
    },
  });
  for (const i of a.linked_identifiers) ids.write(i);
  ids.end();
}
