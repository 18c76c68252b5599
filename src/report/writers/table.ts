/**
 * The human format: boxed tables that fit the terminal. Every cell is escaped (captured text
 * is attacker-controlled), cut to its column's width with `…`, and lists are one item per
 * line. When the table is wider than the terminal, the widest columns shrink first, down to
 * each column's `min`; if that is not enough, columns with a `drop` rank are left out (rank 1
 * first) and a line under the table says which. `--wide` (Presentation.wide) does neither.
 * A vertical table (one record's fields, `info`) wraps long values instead of cutting them.
 */
import { Chalk } from 'chalk';
import { cellText, type Column, type TableView } from '../columns.js';
import { escapeControl } from '../escape.js';
import { fitText, padText, textWidth, wrapText } from '../text-width.js';
import type { Presentation } from '../presentation.js';
import type { Sink } from '../sink.js';

export interface TableOptions<R> {
  title?: string;
  /** highlight a row (e.g. plaintext carrying personal data) */
  emphasise?: (record: R) => boolean;
  /** lines printed after the table (summary, attribution) */
  footer?: () => string[];
  /** group rows under a heading */
  groupBy?: (record: R) => string;
  /** maximum characters per cell when the width is not limited (a pipe without COLUMNS) */
  maxCell?: number;
  /** one two-column table (field, value) per record, for records with many fields */
  vertical?: boolean;
}

const DEFAULT_MIN = 10;
/** separators: `│ ` before each cell, ` ` after, one `│` at the end */
const frameWidth = (columns: number): number => 3 * columns + 1;

/** Which columns are shown and how wide, for `natural` widths in `width` columns of terminal. */
export function fitColumns(
  specs: readonly { min?: number; want?: number; drop?: number; header: string }[],
  natural: readonly number[],
  width: number | null,
): { shown: number[]; widths: number[] } {
  let shown = specs.map((_, i) => i);
  if (width === null) return { shown, widths: [...natural] };
  // a column's header stays whole: it is the minimum when longer than `min`
  const minOf = (i: number) => Math.min(natural[i], Math.max(specs[i].min ?? DEFAULT_MIN, textWidth(specs[i].header)));
  const dropOrder = shown.filter((i) => specs[i].drop !== undefined).sort((a, b) => specs[a].drop! - specs[b].drop!);
  const wantOf = (i: number) => Math.min(natural[i], specs[i].want ?? specs[i].min ?? DEFAULT_MIN);
  const room = () => width - frameWidth(shown.length);
  // optional columns go while the others cannot have the width they want
  while (shown.reduce((n, i) => n + wantOf(i), 0) > room() && dropOrder.length) {
    const gone = dropOrder.shift()!;
    shown = shown.filter((i) => i !== gone);
  }
  const widths = shown.map((i) => natural[i]);
  const mins = shown.map((i) => minOf(i));
  let excess = widths.reduce((a, b) => a + b, 0) - room();
  // shrink the column with the most room above its minimum, one character at a time: long
  // values (URLs, server places) give way first, short names last
  while (excess > 0) {
    let most = -1;
    for (let k = 0; k < widths.length; k++) if (widths[k] > mins[k] && (most < 0 || widths[k] - mins[k] > widths[most] - mins[most])) most = k;
    if (most < 0) break;
    widths[most]--;
    excess--;
  }
  // still too wide (a terminal narrower than the minimums): below the minimums, never below 1
  while (excess > 0) {
    let widest = 0;
    for (let k = 1; k < widths.length; k++) if (widths[k] > widths[widest]) widest = k;
    if (widths[widest] <= 1) break;
    widths[widest]--;
    excess--;
  }
  return { shown, widths };
}

type Paint = InstanceType<typeof Chalk>;

function border(widths: readonly number[], left: string, mid: string, right: string): string {
  return left + widths.map((w) => '─'.repeat(w + 2)).join(mid) + right;
}

function boxRow(cells: readonly string[][], widths: readonly number[], paint: (s: string) => string): string[] {
  let height = 1;
  for (const c of cells) height = Math.max(height, c.length);
  const out: string[] = [];
  for (let line = 0; line < height; line++) {
    out.push('│' + cells.map((c, k) => ` ${paint(padText(fitText(c[line] ?? '', widths[k]), widths[k]))} `).join('│') + '│');
  }
  return out;
}

export class TableWriter<R> {
  private readonly rows: R[] = [];
  private readonly presentation: Presentation;
  private readonly colour: Paint;

  constructor(
    private readonly out: Sink,
    private readonly columns: readonly Column<R, unknown>[],
    private readonly opts: TableOptions<R> = {},
  ) {
    this.presentation = out.presentation ?? { colour: out.isTTY, width: out.isTTY ? (out.columns ?? 80) : null, wide: false };
    this.colour = new Chalk({ level: this.presentation.colour ? 1 : 0 });
  }

  write(record: R): void {
    this.rows.push(record);
  }

  end(): void {
    const width = this.presentation.wide ? null : this.presentation.width;
    const lines: string[] = [];
    const prose = (text: string, style: (s: string) => string) => {
      for (const l of width === null ? [escapeControl(text)] : wrapText(escapeControl(text), width)) lines.push(style(l));
    };
    if (this.opts.title) prose(this.opts.title, this.colour.bold);
    if (this.opts.vertical) this.vertical(lines, width);
    else this.horizontal(lines, width, prose);
    for (const l of this.opts.footer?.() ?? []) prose(l, this.colour.dim);
    this.out.write(lines.join('\n') + '\n');
    this.out.flush?.();
  }

  /** A cell's lines: escaped, lists one item per line for multiline columns. */
  private cell(col: Column<R, unknown>, r: R, view: TableView): string[] {
    const v = col.get!(r, view);
    const cap = (s: string) => (this.opts.maxCell && !this.presentation.wide ? fitText(s, this.opts.maxCell) : s);
    if (Array.isArray(v) && (col.multiline || this.opts.vertical)) return v.map((x) => cap(escapeControl(cellText(x))));
    return [cap(escapeControl(cellText(v)))];
  }

  private horizontal(lines: string[], width: number | null, prose: (text: string, style: (s: string) => string) => void): void {
    const c = this.colour;
    const view: TableView = { wide: this.presentation.wide };
    const cols = this.columns.filter((col) => col.get);
    const cells = this.rows.map((r) => cols.map((col) => this.cell(col, r, view)));
    // a loop, not Math.max(...rows): an events table can have more rows than a call has arguments
    const natural = cols.map((col) => textWidth(col.header));
    for (const row of cells) for (let k = 0; k < row.length; k++) for (const line of row[k]) natural[k] = Math.max(natural[k], textWidth(line));
    const { shown, widths } = fitColumns(cols, natural, width);
    const groups = new Map<string, number[]>();
    this.rows.forEach((r, i) => {
      const g = this.opts.groupBy ? this.opts.groupBy(r) : '';
      let list = groups.get(g);
      if (!list) groups.set(g, (list = []));
      list.push(i);
    });
    if (groups.size === 0) groups.set('', []);
    const multiLine = cells.some((row) => row.some((cell) => cell.length > 1));
    for (const [group, indexes] of groups) {
      if (group) {
        lines.push('');
        prose(group, c.bold.underline);
      }
      lines.push(border(widths, '┌', '┬', '┐'));
      lines.push(
        ...boxRow(
          shown.map((k) => [cols[k].header]),
          widths,
          c.bold,
        ),
      );
      lines.push(border(widths, '├', '┼', '┤'));
      indexes.forEach((i, n) => {
        if (n > 0 && multiLine) lines.push(border(widths, '├', '┼', '┤'));
        const hot = this.opts.emphasise?.(this.rows[i]) ?? false;
        lines.push(
          ...boxRow(
            shown.map((k) => cells[i][k]),
            widths,
            hot ? c.red : (s) => s,
          ),
        );
      });
      lines.push(border(widths, '└', '┴', '┘'));
    }
    if (shown.length < cols.length) {
      const left = cols.filter((_, k) => !shown.includes(k)).map((col) => col.header);
      prose(`not shown at this width: ${left.join(', ')} (--wide shows every column)`, c.dim);
    }
  }

  /** One two-column table (field, value) per record. */
  private vertical(lines: string[], width: number | null): void {
    const c = this.colour;
    const view: TableView = { wide: this.presentation.wide };
    const cols = this.columns.filter((col) => col.get);
    const keyWidth = Math.max(...cols.map((col) => textWidth(col.header)));
    for (const r of this.rows) {
      const values = cols.map((col) => this.cell(col, r, view));
      let valueWidth = 1;
      for (const v of values) for (const line of v) valueWidth = Math.max(valueWidth, textWidth(line));
      const natural = [keyWidth, valueWidth];
      const { widths } = fitColumns(
        [
          { header: '', min: keyWidth },
          { header: '', min: DEFAULT_MIN },
        ],
        natural,
        width,
      );
      lines.push(border(widths, '┌', '┬', '┐'));
      cols.forEach((col, k) => {
        if (k > 0) lines.push(border(widths, '├', '┼', '┤'));
        // a record's own table is for reading every field: long values wrap instead of being cut
        const value = width === null ? values[k] : values[k].flatMap((v) => wrapText(v, widths[1]));
        const [head, ...rest] = boxRow([[col.header], value], widths, (s) => s);
        // only the field name is bold
        lines.push(head.replace(col.header, c.bold(col.header)), ...rest);
      });
      lines.push(border(widths, '└', '┴', '┘'));
    }
  }
}
