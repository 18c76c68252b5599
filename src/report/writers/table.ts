/** The human format: cli-table3, colour only when the sink is a terminal. */
import chalk, { Chalk } from 'chalk';
import Table from 'cli-table3';
import { cellText, type Column } from '../columns.js';
import { escapeControl, truncate } from '../escape.js';
import type { Sink } from '../sink.js';

export interface TableOptions<R> {
  title?: string;
  /** highlight a row (e.g. plaintext carrying personal data) */
  emphasise?: (record: R) => boolean;
  /** lines printed after the table (summary, attribution) */
  footer?: () => string[];
  /** group rows under a heading */
  groupBy?: (record: R) => string;
  /** maximum characters per cell (derived from the terminal width when omitted) */
  maxCell?: number;
  /** one two-column table (field, value) per record, for records with many fields */
  vertical?: boolean;
}

export class TableWriter<R> {
  private readonly rows: R[] = [];
  private readonly colour: InstanceType<typeof Chalk>;
  constructor(private readonly out: Sink, private readonly columns: readonly Column<R>[], private readonly opts: TableOptions<R> = {}) {
    this.colour = out.isTTY ? chalk : new Chalk({ level: 0 });
  }
  write(record: R): void {
    this.rows.push(record);
  }
  end(): void {
    const c = this.colour;
    const width = this.out.columns ?? 160;
    // the widest column may take about half the line; the rest share what is left
    const maxCell = this.opts.maxCell ?? Math.max(24, Math.floor(width / 2));
    const groups = new Map<string, R[]>();
    for (const r of this.rows) {
      const g = this.opts.groupBy ? this.opts.groupBy(r) : '';
      let list = groups.get(g);
      if (!list) groups.set(g, (list = []));
      list.push(r);
    }
    const lines: string[] = [];
    if (this.opts.title) lines.push(c.bold(escapeControl(this.opts.title)));
    if (this.opts.vertical) {
      for (const r of this.rows) {
        const table = new Table({ style: { head: [], border: [] }, wordWrap: true });
        for (const col of this.columns) {
          const v = col.get(r);
          const text = Array.isArray(v) ? v.map((x) => truncate(escapeControl(cellText(x)), maxCell)).join('\n') : truncate(escapeControl(cellText(v)), maxCell);
          table.push({ [c.bold(col.header)]: text });
        }
        lines.push(table.toString());
      }
      for (const l of this.opts.footer?.() ?? []) lines.push(c.dim(escapeControl(l)));
      this.out.write(lines.join('\n') + '\n');
      this.out.flush?.();
      return;
    }
    for (const [group, rows] of groups) {
      if (group) lines.push('', c.bold.underline(escapeControl(group)));
      const table = new Table({
        head: this.columns.map((col) => c.bold(col.header)),
        style: { head: [], border: [] },
        wordWrap: true,
      });
      for (const r of rows) {
        const hot = this.opts.emphasise?.(r) ?? false;
        table.push(this.columns.map((col) => {
          const v = col.get(r);
          const text = col.multiline && Array.isArray(v)
            ? v.map((item) => truncate(escapeControl(cellText(item)), maxCell)).join('\n')
            : truncate(escapeControl(cellText(v)), maxCell);
          return hot ? c.red(text) : text;
        }));
      }
      lines.push(table.toString());
    }
    for (const l of this.opts.footer?.() ?? []) lines.push(c.dim(escapeControl(l)));
    this.out.write(lines.join('\n') + '\n');
    this.out.flush?.();
  }
}
