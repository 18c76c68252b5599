/**
 * Just enough X.509 (RFC 5280 §4.1) to name a server: the subject commonName and the
 * subjectAltName dNSNames of one DER certificate. A bounded DER walker, no dependency; every
 * length is checked against its container, and bad DER is an anomaly, never a throw.
 *
 *   Certificate  ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signature }
 *   TBSCertificate ::= SEQUENCE { [0] version OPTIONAL, serialNumber, signature, issuer,
 *                      validity, subject, subjectPublicKeyInfo, [1] [2] OPTIONAL, [3] extensions }
 *   Name ::= SEQUENCE OF SET OF SEQUENCE { type OID, value ANY }
 *   Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
 *   GeneralNames ::= SEQUENCE OF GeneralName;  dNSName is [2] IMPLICIT IA5String (tag 0x82)
 */
import type { AnomalySink } from '../anomaly.js';

// typed `number`: the walker reuses one Tlv, so TypeScript must not narrow `tag` to a literal
const TAG_SEQUENCE: number = 0x30,
  TAG_SET: number = 0x31,
  TAG_OID: number = 0x06,
  TAG_BOOLEAN: number = 0x01;
const TAG_OCTET_STRING: number = 0x04,
  TAG_CTX0: number = 0xa0,
  TAG_CTX3: number = 0xa3,
  TAG_DNS_NAME: number = 0x82;
/** 2.5.4.3 commonName and 2.5.29.17 subjectAltName, as DER OID contents */
const OID_COMMON_NAME = [0x55, 0x04, 0x03];
const OID_SUBJECT_ALT_NAME = [0x55, 0x1d, 0x11];
/** names longer than this are not host names; they are skipped */
const MAX_NAME_LEN = 1024;

/** one TLV: tag at `off`, value in [start, end). Reused by the walker, never escapes. */
interface Tlv {
  tag: number;
  start: number;
  end: number;
}

/** reads the TLV at `off` (single-byte tags, definite lengths ≤ 4 bytes); false if malformed */
function readTlv(b: Uint8Array, off: number, end: number, out: Tlv): boolean {
  if (end - off < 2) return false;
  out.tag = b[off]!;
  if ((out.tag & 0x1f) === 0x1f) return false; // multi-byte tags never occur where we look
  let p = off + 1;
  let len = b[p++]!;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || end - p < n) return false; // 0x80 is BER indefinite length: not DER
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[p++]!;
  }
  if (len > end - p) return false;
  out.start = p;
  out.end = p + len;
  return true;
}

function oidIs(b: Uint8Array, t: Tlv, oid: number[]): boolean {
  if (t.tag !== TAG_OID || t.end - t.start !== oid.length) return false;
  for (let i = 0; i < oid.length; i++) if (b[t.start + i] !== oid[i]) return false;
  return true;
}

function latin1(b: Uint8Array, off: number, end: number): string {
  let s = '';
  for (let i = off; i < end; i++) s += String.fromCharCode(b[i]!);
  return s;
}

/**
 * Subject CN(s) then SAN dNSNames of the certificate in [off, end), duplicates dropped,
 * latin1-decoded. Returns what it found before any damage (and reports x509_malformed).
 */
export function certificateNames(b: Uint8Array, off: number, end: number, ctx: AnomalySink): string[] {
  // a Set keeps order and drops duplicates in O(1): test certificates carry 10 000 SANs
  const names = new Set<string>();
  const bad = (part: string, at: number): string[] => {
    ctx.anomaly('x509_malformed', at, part);
    return [...names];
  };
  const t: Tlv = { tag: 0, start: 0, end: 0 };
  if (!readTlv(b, off, end, t) || t.tag !== TAG_SEQUENCE) return bad('certificate', off);
  if (!readTlv(b, t.start, t.end, t) || t.tag !== TAG_SEQUENCE) return bad('tbsCertificate', off);
  const tbsEnd = t.end;
  let p = t.start;
  // version [0] (optional), serialNumber, signature, issuer, validity → skip; subject is next
  if (!readTlv(b, p, tbsEnd, t)) return bad('version', p);
  if (t.tag === TAG_CTX0) {
    p = t.end;
    if (!readTlv(b, p, tbsEnd, t)) return bad('serialNumber', p);
  }
  p = t.end; // past serialNumber
  for (const part of ['signature', 'issuer', 'validity']) {
    if (!readTlv(b, p, tbsEnd, t)) return bad(part, p);
    p = t.end;
  }
  if (!readTlv(b, p, tbsEnd, t) || t.tag !== TAG_SEQUENCE) return bad('subject', p);
  p = t.end;
  if (!collectCommonNames(b, t.start, t.end, names)) bad('subject', t.start);
  // subjectPublicKeyInfo, then optional [1] [2], then [3] extensions
  while (p < tbsEnd) {
    if (!readTlv(b, p, tbsEnd, t)) return bad('tbsCertificate', p);
    p = t.end;
    if (t.tag === TAG_CTX3) {
      if (!collectSanDnsNames(b, t.start, t.end, names)) bad('extensions', t.start);
      break;
    }
  }
  return [...names];
}

function pushName(names: Set<string>, b: Uint8Array, start: number, end: number): void {
  if (end - start === 0 || end - start > MAX_NAME_LEN) return;
  names.add(latin1(b, start, end));
}

/** Name = SEQUENCE OF SET OF AttributeTypeAndValue; value's string type is not checked */
function collectCommonNames(b: Uint8Array, p: number, end: number, names: Set<string>): boolean {
  const set: Tlv = { tag: 0, start: 0, end: 0 },
    atv: Tlv = { tag: 0, start: 0, end: 0 },
    f: Tlv = { tag: 0, start: 0, end: 0 };
  while (p < end) {
    if (!readTlv(b, p, end, set) || set.tag !== TAG_SET) return false;
    p = set.end;
    for (let q = set.start; q < set.end; q = atv.end) {
      if (!readTlv(b, q, set.end, atv) || atv.tag !== TAG_SEQUENCE) return false;
      if (!readTlv(b, atv.start, atv.end, f)) return false;
      if (!oidIs(b, f, OID_COMMON_NAME)) continue;
      if (!readTlv(b, f.end, atv.end, f)) return false;
      pushName(names, b, f.start, f.end);
    }
  }
  return true;
}

/** [3] EXPLICIT SEQUENCE OF Extension → dNSNames of subjectAltName */
function collectSanDnsNames(b: Uint8Array, p: number, end: number, names: Set<string>): boolean {
  const seq: Tlv = { tag: 0, start: 0, end: 0 },
    ext: Tlv = { tag: 0, start: 0, end: 0 },
    f: Tlv = { tag: 0, start: 0, end: 0 };
  if (!readTlv(b, p, end, seq) || seq.tag !== TAG_SEQUENCE) return false;
  for (let q = seq.start; q < seq.end; q = ext.end) {
    if (!readTlv(b, q, seq.end, ext) || ext.tag !== TAG_SEQUENCE) return false;
    if (!readTlv(b, ext.start, ext.end, f)) return false;
    if (!oidIs(b, f, OID_SUBJECT_ALT_NAME)) continue;
    if (!readTlv(b, f.end, ext.end, f)) return false;
    if (f.tag === TAG_BOOLEAN && !readTlv(b, f.end, ext.end, f)) return false;
    if (f.tag !== TAG_OCTET_STRING) return false;
    const gn: Tlv = { tag: 0, start: 0, end: 0 };
    if (!readTlv(b, f.start, f.end, gn) || gn.tag !== TAG_SEQUENCE) return false;
    for (let r = gn.start; r < gn.end; r = f.end) {
      if (!readTlv(b, r, gn.end, f)) return false;
      if (f.tag === TAG_DNS_NAME) pushName(names, b, f.start, f.end);
    }
  }
  return true;
}
