/**
 * Column specs shared by the table and CSV writers (heroku's `{header, get}`): declared once per
 * record type, in `src/report/schemas/`. Writers only format what the columns give them.
 */

/** What a table cell may depend on besides the record. */
export interface TableView {
  /** `--wide`: every list item, nothing cut */
  wide: boolean;
}

export interface Column<R, P = never> {
  /** CSV header and stable machine name */
  key: string;
  /** human header for tables */
  header: string;
  /** the table's cell (and CSV's, when `csv` is absent); a column without it is CSV only */
  get?(record: R, view: TableView): unknown;
  /** the CSV value when it differs from the table's (`part`: one of `csvParts(record)`); false: table only */
  csv?: false | ((record: R, part: P) => unknown);
  /** table: a list value is shown one item per line instead of comma-separated */
  multiline?: boolean;
  /**
   * Narrow terminals: while the columns cannot all have their `want` width, columns with a
   * `drop` rank are left out, rank 1 first; then the rest shrink. Columns without one are always shown.
   */
  drop?: number;
  /** table: the narrowest this column is shrunk to (default 10) */
  min?: number;
  /** table: columns with a `drop` rank are dropped while the others cannot be this wide (default `min`) */
  want?: number;
}

/** One record type's fields and columns, declared once. */
export interface RecordSchema<R, P = never> {
  columns: readonly Column<R, P>[];
  /** CSV: one row per part of a record (e.g. per leaked value); default one row per record */
  csvParts?: (record: R) => readonly P[];
}

/** Renders a cell value as plain text (lists joined with ", ", null as empty). */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(cellText).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/**
 * A list in one CSV field: items separated by a space. A space, `%` or line break inside an
 * item is percent-encoded (`%20`, `%25`, …), so the separator never occurs inside a value and
 * `field.split(' ').map(decodeURIComponent)` gives the items back.
 */
export function csvList(items: readonly unknown[] | null | undefined): string {
  if (!items) return '';
  return items.map((i) => String(i ?? '').replace(/[%\s]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'))).join(' ');
}

/**
 * The first `max` items of a list, then a line saying how many are not shown:
 * `3 of 3,001 shown`. With `wide`, every item.
 */
export function sampled<T>(items: readonly T[], max: number, view: TableView, label = ''): (T | string)[] {
  if (view.wide || items.length <= max) return [...items];
  return [...items.slice(0, max), `${label}${max} of ${items.length.toLocaleString('en-US')} shown`];
}
