/**
 * IP address text → numbers, strictly, without node:net round trips.
 *
 * Geolocation needs an address as a number (IPv4: uint32) or as 16 bytes (IPv6) to classify it
 * and to search range tables. Parsing is strict: dotted-quad IPv4 with no leading zeros (they
 * would be octal to some tools) and RFC 4291 IPv6 text, optionally with an embedded IPv4 tail
 * and a zone (`fe80::1%eth0`, the zone is ignored).
 */
import { formatIpv6 } from '../src/decode/addr.js';

/** `a.b.c.d` → uint32, or -1 when the text is not a strict dotted-quad address. */
export function parseIPv4(text: string, start = 0, end = text.length): number {
  let value = 0;
  let octets = 0;
  let i = start;
  while (i < end) {
    let octet = 0;
    let digits = 0;
    const first = i;
    while (i < end) {
      const c = text.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break;
      octet = octet * 10 + (c - 0x30);
      digits++;
      i++;
    }
    if (digits === 0 || digits > 3 || octet > 255) return -1;
    if (digits > 1 && text.charCodeAt(first) === 0x30) return -1; // leading zero: octal elsewhere
    value = value * 256 + octet;
    octets++;
    if (i === end) break;
    if (text.charCodeAt(i) !== 0x2e /* . */ || octets === 4) return -1;
    i++;
    if (i === end) return -1; // trailing dot
  }
  return octets === 4 ? value : -1;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/**
 * IPv6 text → `out` (16 bytes). Returns false (out undefined) when the text is not an IPv6
 * address. Accepts `::` compression, an IPv4 tail (`::ffff:1.2.3.4`) and a `%zone` suffix.
 */
export function parseIPv6(text: string, out: Uint8Array): boolean {
  let end = text.indexOf('%');
  if (end === 0) return false;
  if (end < 0) end = text.length;
  const groups: number[] = [];
  let gapAt = -1; // index in `groups` where `::` stands
  let i = 0;
  if (end >= 2 && text.charCodeAt(0) === 0x3a && text.charCodeAt(1) === 0x3a) {
    gapAt = 0;
    i = 2;
  } else if (end >= 1 && text.charCodeAt(0) === 0x3a) {
    return false; // a single leading colon
  }
  while (i < end) {
    // an IPv4 tail is only allowed as the last piece
    const nextColon = text.indexOf(':', i);
    const pieceEnd = nextColon < 0 || nextColon > end ? end : nextColon;
    const dot = text.indexOf('.', i);
    if (dot >= 0 && dot < pieceEnd) {
      if (pieceEnd !== end) return false;
      const v4 = parseIPv4(text, i, end);
      if (v4 < 0) return false;
      groups.push(Math.floor(v4 / 65536), v4 % 65536);
      i = end;
      break;
    }
    const len = pieceEnd - i;
    if (len < 1 || len > 4) return false;
    let g = 0;
    for (let k = i; k < pieceEnd; k++) {
      const d = hexDigit(text.charCodeAt(k));
      if (d < 0) return false;
      g = (g << 4) | d;
    }
    groups.push(g);
    i = pieceEnd;
    if (i === end) break;
    i++; // the colon
    if (i < end && text.charCodeAt(i) === 0x3a) {
      if (gapAt >= 0) return false; // a second `::`
      gapAt = groups.length;
      i++;
    } else if (i === end) {
      return false; // a single trailing colon
    }
  }
  if (gapAt < 0 ? groups.length !== 8 : groups.length > 7) return false;
  const zeros = 8 - groups.length;
  let w = 0;
  for (let k = 0; k < groups.length; k++) {
    if (k === gapAt)
      for (let z = 0; z < zeros; z++) {
        out[w++] = 0;
        out[w++] = 0;
      }
    out[w++] = groups[k] >>> 8;
    out[w++] = groups[k] & 0xff;
  }
  if (gapAt === groups.length)
    for (let z = 0; z < zeros; z++) {
      out[w++] = 0;
      out[w++] = 0;
    }
  return true;
}

/** uint32 → `a.b.c.d` */
export function formatIPv4(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}

/** The IPv4 address carried in bytes 12..15 of an IPv6 address, as uint32. */
export function embeddedIPv4(b: Uint8Array, at = 12): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

/** 16 bytes → the address as an unsigned decimal string (how the `-num.csv` files write it). */
export function ipv6ToDecimal(b: Uint8Array): string {
  let hex = '';
  for (let k = 0; k < 16; k++) hex += (b[k] < 16 ? '0' : '') + b[k].toString(16);
  return BigInt('0x' + hex).toString();
}

/**
 * 16 bytes → RFC 5952 text. One place owns IP text (src/decode/addr.ts, as tshark prints it):
 * the addresses a report looks up and the ones a capture names are the same strings, also for
 * IPv4-mapped addresses (`::ffff:1.2.3.4`).
 */
export function formatIPv6(b: Uint8Array): string {
  return formatIpv6(b, 0);
}
