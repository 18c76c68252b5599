/**
 * Client fingerprints of a ClientHello.
 *
 * JA4 (FoxIO, technical_details/JA4.md): `t13d1516h2_8daaf6152771_e5627efa2ab1` =
 *   transport (t/q) · version (highest supported_versions, else legacy) · d (SNI) / i ·
 *   two-digit cipher count · two-digit extension count · first+last char of the first ALPN
 *   _ sha256(sorted cipher hex list)[0..12]
 *   _ sha256(sorted extension hex list without SNI/ALPN "_" signature algorithms as sent)[0..12]
 * GREASE is ignored everywhere; empty lists hash to "000000000000".
 *
 * JA3 (Salesforce): `version,ciphers,extensions,groups,point_formats` in decimal, '-'
 * joined, GREASE removed, then MD5.
 */
import { createHash } from 'node:crypto';
import { ExtensionType, isGrease, type ClientHello } from './tls.js';
import { StringMemo } from '../memo.js';

const JA4_VERSIONS = new Map<number, string>([
  [0x0304, '13'], [0x0303, '12'], [0x0302, '11'], [0x0301, '10'], [0x0300, 's3'], [0x0002, 's2'],
  [0xfeff, 'd1'], [0xfefd, 'd2'], [0xfefc, 'd3'],
]);

const HEX2: readonly string[] = Array.from({ length: 256 }, (_, v) => v.toString(16).padStart(2, '0'));

/**
 * `values` (GREASE, `skipA` and `skipB` left out) as a comma-joined list of 4-digit hex, sorted
 * or in the order sent. Sorting the numbers gives the order of sorting their fixed-width hex.
 */
function hexList(values: readonly number[], sorted: boolean, skipA = -1, skipB = -1): string {
  const kept = scratch(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!isGrease(v) && v !== skipA && v !== skipB) kept[n++] = v;
  }
  const list = kept.subarray(0, n);
  if (sorted) list.sort();
  let out = '';
  for (let i = 0; i < n; i++) {
    if (i > 0) out += ',';
    out += HEX2[list[i] >> 8] + HEX2[list[i] & 0xff];
  }
  return out;
}

let scratchBuf = new Uint16Array(256);
function scratch(n: number): Uint16Array {
  if (scratchBuf.length < n) scratchBuf = new Uint16Array(Math.max(n, scratchBuf.length * 2));
  return scratchBuf;
}

function countNonGrease(values: readonly number[]): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (!isGrease(values[i])) n++;
  return n;
}

function twoDigits(n: number): string {
  return n > 99 ? '99' : String(n).padStart(2, '0');
}

// Fingerprint inputs repeat: every connection of one client library sends the same lists,
// and a hash object costs ~5 µs to create, more than the rest of the fingerprint.
const sha256Hex = new StringMemo((text) => createHash('sha256').update(text).digest('hex'));
const md5Hex = new StringMemo((text) => createHash('md5').update(text).digest('hex'));

function hash12(s: string): string {
  return sha256Hex.get(s).slice(0, 12);
}

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** first and last character of the first ALPN value; its hex form if either is not alphanumeric */
function alpnChars(ch: ClientHello): string {
  const first = ch.alpn[0];
  if (first === undefined || first.length === 0) return '00';
  const a = first.charCodeAt(0), z = first.charCodeAt(first.length - 1);
  if (isAlnum(a) && isAlnum(z)) return first[0]! + first[first.length - 1]!;
  // ALPN strings are latin1 (one char per byte), so char codes are the bytes
  const hexA = a.toString(16).padStart(2, '0'), hexZ = z.toString(16).padStart(2, '0');
  return hexA[0]! + hexZ[1]!;
}

function ja4Version(ch: ClientHello): string {
  let best = -1;
  for (const v of ch.supportedVersions) if (!isGrease(v) && v > best && JA4_VERSIONS.has(v)) best = v;
  if (best < 0) best = ch.legacyVersion;
  return JA4_VERSIONS.get(best) ?? '00';
}

export function ja4(ch: ClientHello, transport: 't' | 'q'): string {
  const cipherCount = countNonGrease(ch.cipherSuites);
  const extensionCount = countNonGrease(ch.extensions);
  const sni = ch.extensions.includes(ExtensionType.serverName) ? 'd' : 'i';
  const a = `${transport}${ja4Version(ch)}${sni}${twoDigits(cipherCount)}${twoDigits(extensionCount)}${alpnChars(ch)}`;

  const cipherList = hexList(ch.cipherSuites, true);
  const b = cipherList.length === 0 ? '000000000000' : hash12(cipherList);

  const extList = hexList(ch.extensions, true, ExtensionType.serverName, ExtensionType.alpn);
  const sigs = hexList(ch.signatureAlgorithms, false);
  const c = extList.length === 0 ? '000000000000' : hash12(sigs.length > 0 ? `${extList}_${sigs}` : extList);
  return `${a}_${b}_${c}`;
}

export function ja3(ch: ClientHello): { text: string; md5: string } {
  const text = `${ch.legacyVersion},${decimalList(ch.cipherSuites)},${decimalList(ch.extensions)},${decimalList(ch.supportedGroups)},${ch.ecPointFormats.join('-')}`;
  return { text, md5: md5Hex.get(text) };
}

/** JA3's lists: decimal values in the order sent, GREASE removed, '-' joined. */
function decimalList(values: readonly number[]): string {
  let out = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isGrease(v)) continue;
    if (out.length > 0) out += '-';
    out += v;
  }
  return out;
}
