/** Column specs shared by the table and CSV writers (heroku's `{header, get}`): declared once per record type. */
export interface Column<R> {
  /** CSV header and stable machine name */
  key: string;
  /** human header for tables */
  header: string;
  get(record: R): unknown;
  /** table: a list value is shown one item per line instead of comma-separated */
  multiline?: boolean;
}

/** Renders a cell value as plain text (lists joined with ", ", null as empty). */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(cellText).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
