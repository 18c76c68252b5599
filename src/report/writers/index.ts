import type { Column, RecordSchema } from '../columns.js';
import type { Sink } from '../sink.js';
import { CsvWriter } from './csv.js';
import { JsonWriter, type JsonEnvelope } from './json.js';
import { NdjsonWriter } from './ndjson.js';
import type { TableOptions } from './table.js';
import { UserError } from '../../errors.js';

export const FORMATS = ['table', 'json', 'ndjson', 'csv', 'html'] as const;
/** the commands whose reports have an HTML form (src/report/html/) */
export const HTML_COMMANDS = ['analyze', 'batch', 'diff'] as const;
export type Format = (typeof FORMATS)[number];

export interface RecordWriter<R> {
  write(record: R): void;
  end(): void;
}

/** A record schema (src/report/schemas/) plus how this command's output is framed. */
export interface WriterSpec<R, P = never> extends RecordSchema<R, P> {
  table?: TableOptions<R>;
  /** JSON: print a lone record as an object rather than an array */
  jsonSingle?: boolean;
  /** JSON: put the records in one member of a document (e.g. a header, then the hosts) */
  jsonEnvelope?: JsonEnvelope;
}

/**
 * A writer for `format`. Asynchronous because the table writer, with chalk, is
 * loaded only when a table is asked for: importing it took ~27 ms of every start-up.
 */
export async function createWriter<R, P = never>(format: Format, out: Sink, spec: WriterSpec<R, P>): Promise<RecordWriter<R>> {
  switch (format) {
    case 'ndjson':
      return new NdjsonWriter<R>(out);
    case 'json':
      return new JsonWriter<R>(out, { single: spec.jsonSingle, envelope: spec.jsonEnvelope });
    case 'csv':
      return new CsvWriter<R, P>(out, spec.columns, spec.csvParts);
    case 'html':
      // a report page, not a record stream: only commands with a report write it
      throw new UserError(`--format html is a report of ${HTML_COMMANDS.join(', ')}; this command prints table, json, ndjson or csv`);
    case 'table': {
      const { TableWriter } = await import('./table.js');
      return new TableWriter<R>(out, spec.columns as readonly Column<R, unknown>[], spec.table);
    }
  }
}
