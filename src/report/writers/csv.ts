import { cellText, type Column, type TableView } from '../columns.js';

const CSV_VIEW: TableView = { wide: true };
import type { Sink } from '../sink.js';

/**
 * RFC 4180: CRLF line ends; fields with a comma, quote, CR or LF are quoted, quotes doubled.
 * Fields holding any other control character (ESC from a hostile SNI, say) are quoted too, so
 * they stand out as data to whoever opens the file.
 */
export function csvField(s: string): string {
  return /[",\u0000-\u001f\u007f]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * One CSV row per record, or per part of a record when the schema splits it (`csvParts`);
 * every column whose `csv` is not false, its value from `csv` or else from `get`.
 */
export class CsvWriter<R, P = never> {
  private headerDone = false;
  private readonly columns: readonly Column<R, P>[];
  constructor(
    private readonly out: Sink,
    columns: readonly Column<R, P>[],
    private readonly partsOf?: (r: R) => readonly P[],
  ) {
    this.columns = columns.filter((c) => c.csv !== false);
  }
  private header(): void {
    this.out.write(this.columns.map((c) => csvField(c.key)).join(',') + '\r\n');
    this.headerDone = true;
  }
  write(record: R): void {
    if (!this.headerDone) this.header();
    const parts: readonly (P | undefined)[] = this.partsOf ? this.partsOf(record) : [undefined];
    for (const part of parts) {
      this.out.write(this.columns.map((c) => csvField(cellText(c.csv ? c.csv(record, part as P) : c.get?.(record, CSV_VIEW)))).join(',') + '\r\n');
    }
  }
  end(): void {
    if (!this.headerDone) this.header();
    this.out.flush?.();
  }
}
