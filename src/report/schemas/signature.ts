/**
 * `signatures` (the database) and `signatures test` (which signatures match a host). Narrow
 * terminals drop Alerts, then Category; the match rule is cut with `…`.
 */
import type { Signature } from '../../signatures/db.js';
import { csvList, type RecordSchema } from '../columns.js';

export interface SignatureRow {
  id: string;
  vendor: string;
  product: string;
  category: string;
  match: string;
  alert: boolean;
  confidence: string;
  references: string[];
}

export interface SignatureHitRow {
  host: string;
  id: string | null;
  vendor: string | null;
  category: string | null;
  alert: boolean;
  on: string | null;
  match: string | null;
}

/** A signature's match rule as one line: `suffix: xiaomi.com; path: /sa`. */
export function matchText(s: Signature): string {
  const m = s.match as Record<string, unknown>;
  return Object.entries(m)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(' ') : String(v)}`)
    .join('; ');
}

export function signatureRow(s: Signature): SignatureRow {
  return {
    id: s.id,
    vendor: s.vendor,
    product: s.product,
    category: s.category,
    match: matchText(s),
    alert: s.alert,
    confidence: s.confidence,
    references: s.references,
  };
}

const alerts = (id: string | null, alert: boolean): string => (id ? (alert ? 'yes' : 'label only') : '');

export const SIGNATURE_SCHEMA: RecordSchema<SignatureRow> = {
  columns: [
    { key: 'id', header: 'Id', get: (r) => r.id, min: 24 },
    // the table groups rows by vendor: the column goes first
    { key: 'vendor', header: 'Vendor', get: (r) => r.vendor, drop: 1 },
    { key: 'product', header: 'Product', csv: (r) => r.product },
    { key: 'category', header: 'Category', get: (r) => r.category, drop: 3 },
    { key: 'match', header: 'Match', get: (r) => r.match, min: 16, want: 30 },
    { key: 'alert', header: 'Alerts', get: (r) => alerts(r.id, r.alert), csv: (r) => r.alert, drop: 2 },
    { key: 'confidence', header: 'Confidence', csv: (r) => r.confidence },
    { key: 'references', header: 'References', csv: (r) => csvList(r.references) },
  ],
};

export const SIGNATURE_HIT_SCHEMA: RecordSchema<SignatureHitRow> = {
  columns: [
    { key: 'host', header: 'Host', get: (r) => r.host, min: 24 },
    { key: 'id', header: 'Signature', get: (r) => r.id ?? '(none)', csv: (r) => r.id, min: 20 },
    { key: 'vendor', header: 'Vendor', get: (r) => r.vendor, drop: 3 },
    { key: 'category', header: 'Category', get: (r) => r.category, drop: 2 },
    { key: 'alert', header: 'Alerts', get: (r) => alerts(r.id, r.alert), csv: (r) => (r.id ? r.alert : null), drop: 1 },
    { key: 'on', header: 'On', csv: (r) => r.on },
    { key: 'match', header: 'Rule', get: (r) => r.match, min: 12 },
  ],
};
