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
  [0x0304, '13'],
  [0x0303, '12'],
  [0x0302, '11'],
  [0x0301, '10'],
  [0x0300, 's3'],
  [0x0002, 's2'],
  [0xfeff, 'd1'],
  [0xfefd, 'd2'],
  [0xfefc, 'd3'],
]);

const HEX2: readonly string[] = Array.from({ length: 256 }, (_, v) => v.toString(16).padStart(2, '0'));

/** values handed to String.fromCharCode at once (they go as arguments) */
const KEY_SLICE = 4096;

/**
 * `values` (GREASE, `skipA` and `skipB` left out), sorted or in the order sent, as an exact key:
 * the count (two UTF-16 code units), then one code unit per value. Every connection of one
 * client library sends the same lists, so the fingerprints are memoised on these keys, which
 * cost one native call each instead of the hex or decimal text. Values are kept to 16 bits, as
 * JA4 lists them (an SSLv2 cipher spec has 24: JA3 takes those without the memo).
 */
function listKey(values: readonly number[], sorted: boolean, skipA = -1, skipB = -1): string {
  const kept = scratch(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!isGrease(v) && v !== skipA && v !== skipB) kept[n++] = v;
  }
  const list = kept.subarray(0, n);
  if (sorted) list.sort();
  let key = String.fromCharCode(n >>> 16, n & 0xffff);
  for (let i = 0; i < n; i += KEY_SLICE) key += String.fromCharCode.apply(null, list.subarray(i, i + KEY_SLICE) as unknown as number[]);
  return key;
}

/** The lists a concatenation of listKey()s stands for, in order. */
function listsOf(key: string): number[][] {
  const lists: number[][] = [];
  for (let p = 0; p < key.length;) {
    const n = key.charCodeAt(p) * 0x10000 + key.charCodeAt(p + 1);
    p += 2;
    const list = new Array<number>(n);
    for (let i = 0; i < n; i++) list[i] = key.charCodeAt(p++);
    lists.push(list);
  }
  return lists;
}

/** JA4's list text: 4-digit hex, comma-joined */
function hexText(list: readonly number[]): string {
  let out = '';
  for (let i = 0; i < list.length; i++) {
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

const NO_HASH = '000000000000';

function hash12(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

/** JA4 b: the sorted cipher list hashed, from listKey(ciphers, sorted) */
const cipherHash = new StringMemo((key) => {
  const [ciphers] = listsOf(key);
  return ciphers!.length === 0 ? NO_HASH : hash12(hexText(ciphers!));
});

/** JA4 c: sorted extensions (SNI and ALPN left out) "_" signature algorithms as sent, from their two listKey()s */
const extensionHash = new StringMemo((key) => {
  const [extensions, signatures] = listsOf(key);
  if (extensions!.length === 0) return NO_HASH;
  const ext = hexText(extensions!);
  return hash12(signatures!.length > 0 ? `${ext}_${hexText(signatures!)}` : ext);
});

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** first and last character of the first ALPN value; its hex form if either is not alphanumeric */
function alpnChars(ch: ClientHello): string {
  const first = ch.alpn[0];
  if (first === undefined || first.length === 0) return '00';
  const a = first.charCodeAt(0),
    z = first.charCodeAt(first.length - 1);
  if (isAlnum(a) && isAlnum(z)) return first[0]! + first[first.length - 1]!;
  // ALPN strings are latin1 (one char per byte), so char codes are the bytes
  const hexA = a.toString(16).padStart(2, '0'),
    hexZ = z.toString(16).padStart(2, '0');
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

  const b = cipherHash.get(listKey(ch.cipherSuites, true));
  const c = extensionHash.get(listKey(ch.extensions, true, ExtensionType.serverName, ExtensionType.alpn) + listKey(ch.signatureAlgorithms, false));
  return `${a}_${b}_${c}`;
}

export interface Ja3 {
  readonly text: string;
  readonly md5: string;
}

/** JA3 from the legacy version (as a list of one) and four listKey()s (lists as sent) */
const ja3Memo = new StringMemo((key) => {
  const [[version], ciphers, extensions, groups, formats] = listsOf(key);
  return ja3Of(version!, ciphers!, extensions!, groups!, formats!);
});

export function ja3(ch: ClientHello): Ja3 {
  // an SSLv2 hello's 24-bit cipher specs do not fit a key; such hellos are rare
  if (ch.sslv2) return ja3Of(ch.legacyVersion, ch.cipherSuites, ch.extensions, ch.supportedGroups, ch.ecPointFormats);
  return ja3Memo.get(
    String.fromCharCode(0, 1, ch.legacyVersion) +
      listKey(ch.cipherSuites, false) +
      listKey(ch.extensions, false) +
      listKey(ch.supportedGroups, false) +
      listKey(ch.ecPointFormats, false),
  );
}

function ja3Of(version: number, ciphers: readonly number[], extensions: readonly number[], groups: readonly number[], formats: readonly number[]): Ja3 {
  const text = `${version},${decimalList(ciphers)},${decimalList(extensions)},${decimalList(groups)},${formats.join('-')}`;
  return Object.freeze({ text, md5: createHash('md5').update(text).digest('hex') });
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
