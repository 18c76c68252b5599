/**
 * Small, total decoders for payload peeling: percent/form decoding, plausible-base64 tests,
 * UTF-8 text checks and the Java String.hashCode the Sensors SDKs use as a crc. None throws on
 * bad input; each returns null (or the input) instead.
 */

const utf8Fatal = new TextDecoder('utf-8', { fatal: true });

/** `application/x-www-form-urlencoded` component: `+` is a space, bad `%` escapes stay as text. */
export function decodeFormComponent(s: string): string {
  if (s.indexOf('%') < 0) return s.indexOf('+') < 0 ? s : s.replace(/\+/g, ' ');
  const t = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(t);
  } catch {
    // tolerate stray `%` and invalid UTF-8: decode valid escapes byte by byte
    const bytes: number[] = [];
    for (let i = 0; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c === 0x25 && i + 2 < t.length && /^[0-9a-fA-F]{2}$/.test(t.slice(i + 1, i + 3))) {
        bytes.push(parseInt(t.slice(i + 1, i + 3), 16));
        i += 2;
      } else {
        for (const b of Buffer.from(t[i], 'utf8')) bytes.push(b);
      }
    }
    return Buffer.from(bytes).toString('utf8');
  }
}

const FORM_KEY = /^[A-Za-z0-9_$.\-[\]%*:@!~]+$/;

/**
 * Splits form-encoded text into decoded [key, value] pairs, or null when the text is not
 * form-shaped (every `&`-separated part must be `key=value` with a plain key). Keys and values
 * stay in arrays: untrusted keys never become object properties.
 */
export function parseForm(text: string, maxFields: number): [string, string][] | null {
  const s = text.trim();
  if (s.length === 0 || s.indexOf('=') <= 0 || /\s/.test(s)) return null;
  if (/^[A-Za-z0-9+/_-]+={1,2}$/.test(s)) return null; // base64 padding, not `key=`
  const out: [string, string][] = [];
  for (const part of s.split('&')) {
    if (part.length === 0) continue;
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    if (!FORM_KEY.test(rawKey)) return null;
    if (out.length >= maxFields) break;
    out.push([decodeFormComponent(rawKey), eq < 0 ? '' : decodeFormComponent(part.slice(eq + 1))]);
  }
  return out.length ? out : null;
}

const B64_STD = /^[A-Za-z0-9+/]+={0,2}$/;
const B64_URL = /^[A-Za-z0-9_-]+={0,2}$/;
/** shortest base64 text worth decoding (9 bytes: anything shorter carries no payload) */
const MIN_BASE64_CHARS = 12;

/**
 * Decodes `s` as base64 (standard or URL-safe, padded or not) when its length and alphabet
 * allow it; null otherwise. A form decoder may have turned `+` into spaces: those are undone.
 */
export function base64Candidate(s: string): Uint8Array | null {
  let t = s.trim();
  if (t.length < MIN_BASE64_CHARS) return null;
  if (t.indexOf(' ') >= 0) t = t.replace(/ /g, '+');
  if (!B64_STD.test(t) && !B64_URL.test(t)) return null;
  const body = t.replace(/=+$/, '');
  if (body.length % 4 === 1) return null;
  if (t.length !== body.length && t.length % 4 !== 0) return null;
  if (/^[0-9]+$/.test(body)) return null; // a number, not an encoding
  return new Uint8Array(Buffer.from(t, 'base64'));
}

export function isGzip(b: Uint8Array): boolean {
  return b.length >= 10 && b[0] === 0x1f && b[1] === 0x8b && b[2] === 0x08;
}

/** RFC 1950 header: deflate method, window ≤ 32 KiB, FCHECK valid. */
export function isZlib(b: Uint8Array): boolean {
  return b.length >= 6 && (b[0] & 0x0f) === 8 && b[0] >> 4 <= 7 && ((b[0] << 8) | b[1]) % 31 === 0;
}

/**
 * Byte-level pre-check for printableText: false when the bytes are plainly binary (too many
 * control bytes, or a malformed UTF-8 sequence). Most base64 candidates that are really hex
 * ids decode to such bytes; rejecting them here avoids a TextDecoder exception per value.
 */
function mayBePrintableUtf8(b: Uint8Array): boolean {
  let control = 0;
  for (let i = 0; i < b.length;) {
    const c = b[i];
    if (c < 0x80) {
      if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) control++;
      i++;
      continue;
    }
    const n = c >= 0xf0 && c <= 0xf4 ? 3 : c >= 0xe0 ? 2 : c >= 0xc2 && c <= 0xdf ? 1 : -1;
    if (n < 0 || i + n >= b.length) return false; // not a lead byte, or cut short
    for (let k = 1; k <= n; k++) if ((b[i + k] & 0xc0) !== 0x80) return false;
    i += n + 1;
  }
  return control * 50 <= b.length;
}

/** Strict UTF-8 text that is mostly printable (payload text, not binary); null otherwise. */
export function printableText(b: Uint8Array): string | null {
  if (!mayBePrintableUtf8(b)) return null;
  let text: string;
  try {
    text = utf8Fatal.decode(b);
  } catch {
    return null;
  }
  if (text.length === 0) return null;
  let control = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f || (c >= 0x80 && c < 0xa0)) control++;
  }
  return control * 50 <= text.length ? text : null;
}

/** Java `String.hashCode()` (UTF-16 code units, signed 32-bit): the crc of Sensors SDK uploads. */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}
