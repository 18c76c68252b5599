/**
 * Captured strings are attacker-controlled: an SNI or a URI can carry terminal escape
 * sequences. Anything printed for a human goes through `escapeControl` first.
 */
// C0 controls, DEL, C1 controls, and the Unicode bidi overrides that can reorder a line
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function escapeControl(s: string): string {
  return s.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Cuts a string to `max` characters with an ellipsis (counting code points, not UTF-16 units). */
export function truncate(s: string, max: number): string {
  if (max <= 1) return s.length > 0 ? '…' : '';
  const chars = Array.from(s);
  return chars.length <= max ? s : chars.slice(0, max - 1).join('') + '…';
}

// JSON.stringify escapes C0 controls; these it leaves raw, and a terminal may act on them
const JSON_UNSAFE = /[\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/** JSON text with DEL, C1 controls, bidi overrides and line separators as \u escapes: still
 * the same JSON value, but safe to `cat` on a terminal. */
export function safeJson(value: unknown, indent?: number): string {
  const json = JSON.stringify(value, null, indent);
  // Nearly every record is ASCII without DEL: a UTF-8 length equal to the UTF-16 length says
  // there is nothing above U+007F, and DEL is one memchr away. Both are native scans, several
  // times cheaper than the regular expression (which first runs interpreted, on a cold start).
  // (byteLength counts UTF-8 by default: naming the encoding costs Node a lookup per call.)
  if (Buffer.byteLength(json) === json.length && !json.includes('\x7f')) return json;
  return json.replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
