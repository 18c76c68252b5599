import { cellText, type Column } from '../columns.js';
import type { Sink } from '../sink.js';

/**
 * RFC 4180: CRLF line ends; fields with a comma, quote, CR or LF are quoted, quotes doubled.
 * Fields holding any other control character (ESC from a hostile SNI, say) are quoted too, so
 * they stand out as data to whoever opens the file.
 */
export function csvField(s: string): string {
  return /[",\u0000-\u001f\u007f]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export class CsvWriter<R> {
  private headerDone = false;
  constructor(private readonly out: Sink, private readonly columns: readonly Column<R>[], private readonly rowsOf: (r: R) => R[] = (r) => [r]) {}
  write(record: R): void {
    if (!this.headerDone) {
      this.out.write(this.columns.map((c) => csvField(c.key)).join(',') + '\r\n');
      this.headerDone = true;
    }
    for (const row of this.rowsOf(record)) this.out.write(this.columns.map((c) => csvField(cellText(c.get(row)))).join(',') + '\r\n');
  }
  end(): void {
    if (!this.headerDone) this.out.write(this.columns.map((c) => csvField(c.key)).join(',') + '\r\n');
    this.out.flush?.();
  }
}
