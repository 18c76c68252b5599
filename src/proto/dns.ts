/**
 * DNS messages (RFC 1035 §4.1) from UDP datagrams and, through `DnsTcpFramer`, from TCP
 * streams (RFC 1035 §4.2.2: each message behind a 2-byte length). mDNS (RFC 6762) and LLMNR
 * (RFC 4795) use the same format and parse here too; tell them apart by port (5353 mDNS,
 * 5355 LLMNR — both multicast name services, not resolver traffic).
 *
 *                                   1  1  1  1  1  1
 *     0  1  2  3  4  5  6  7  8  9  0  1  2  3  4  5
 *   +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *   |                      ID                       |
 *   |QR|   Opcode  |AA|TC|RD|RA| Z|AD|CD|   RCODE   |
 *   |                    QDCOUNT                    |
 *   |                    ANCOUNT                    |
 *   |                    NSCOUNT                    |
 *   |                    ARCOUNT                    |
 *   +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *   then QDCOUNT questions (QNAME QTYPE QCLASS) and the three record sections
 *   (NAME TYPE CLASS TTL RDLENGTH RDATA).
 *
 * Names are printed the way tshark 4.0 prints dns.qry.name (checked on crafted packets):
 * labels joined with '.', a '.' inside a label left as it is (ambiguous, as in tshark), bytes
 * decoded as UTF-8 with invalid bytes as U+FFFD, control characters as C escapes (\t \n \r
 * \a \b \f \v) or three-digit octal (\001, \177); the root name is "<Root>".
 */
import { CarryBuffer } from './carry.js';
import { formatIpv4, formatIpv6 } from '../decode/addr.js';
import type { AnomalySink } from '../anomaly.js';
import { IGNORE_ANOMALIES } from '../anomaly.js';
import { DEFAULT_LIMITS, type Limits } from '../limits.js';
import { NEED_MORE } from '../status.js';

export interface DnsQuestion {
  name: string;
  type: number;
  typeName: string;
  class: number;
}
export interface DnsRecord {
  name: string;
  type: number;
  typeName: string;
  /** CLASS as sent (mDNS sets the top bit for cache-flush; OPT carries the UDP payload size here) */
  class: number;
  ttl: number;
  /**
   * RDATA as text: A/AAAA address (AAAA as tshark prints it), CNAME/NS/PTR/DNAME target name,
   * MX "preference exchange", SRV "priority weight port target", SOA "mname rname serial refresh
   * retry expire minimum", TXT the strings concatenated, HTTPS/SVCB "priority target key=value…"
   * (alpn, port, ipv4hint, ipv6hint, ech, no-default-alpn); '' for other types.
   */
  data: string;
}
export interface DnsMessage {
  id: number;
  isResponse: boolean;
  opcode: number;
  /** the header's 4-bit RCODE (the EDNS extended bits are not merged in) */
  rcode: number;
  rcodeName: string;
  /** TC: the sender truncated the message (retry over TCP) */
  truncatedFlag: boolean;
  questions: DnsQuestion[];
  answers: DnsRecord[];
  authorities: DnsRecord[];
  additionals: DnsRecord[];
  /** every entry the header counts was parsed: false for a cut-short or malformed message */
  complete: boolean;
}

export const DNS_HEADER_LEN = 12;
export { NEED_MORE };

export const DnsType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  HINFO: 13,
  MX: 15,
  TXT: 16,
  RP: 17,
  AAAA: 28,
  LOC: 29,
  SRV: 33,
  NAPTR: 35,
  DNAME: 39,
  OPT: 41,
  DS: 43,
  SSHFP: 44,
  RRSIG: 46,
  NSEC: 47,
  DNSKEY: 48,
  NSEC3: 50,
  NSEC3PARAM: 51,
  TLSA: 52,
  CDS: 59,
  CDNSKEY: 60,
  SVCB: 64,
  HTTPS: 65,
  SPF: 99,
  TKEY: 249,
  TSIG: 250,
  IXFR: 251,
  AXFR: 252,
  ANY: 255,
  URI: 256,
  CAA: 257,
} as const;

const TYPE_NAMES = new Map<number, string>(Object.entries(DnsType).map(([k, v]) => [v, k]));

/** Mnemonic of a QTYPE/TYPE, else TYPE<n> (RFC 3597 style). */
export function dnsTypeName(type: number): string {
  return TYPE_NAMES.get(type) ?? `TYPE${type}`;
}

const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE', 'DSOTYPENI'];

/** Mnemonic of a response code (RFC 6895 registry), else RCODE<n>. */
export function dnsRcodeName(rcode: number): string {
  return RCODE_NAMES[rcode] ?? `RCODE${rcode}`;
}

// ---- names -----------------------------------------------------------------------------

const MAX_NAME_WIRE_BYTES = 255;
/** presentation bytes of the longest legal name (labels and dots), plus room for one label */
const nameScratch = new Uint8Array(MAX_NAME_WIRE_BYTES + 64);
/** the same bytes as a Buffer: a printable-ASCII name (nearly all) is read without a TextDecoder call */
const nameScratchText = Buffer.from(nameScratch.buffer, nameScratch.byteOffset, nameScratch.byteLength);
/** pointer targets followed for the current name (loop detection); grown to the hop cap */
let visited = new Int32Array(64);
/** offset just past the name read last (where the record continues) */
let nameEnd = 0;

const utf8 = new TextDecoder('utf-8');
const C_ESCAPES: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r' };

function escapeControls(s: string): string {
  return s.replace(/[\x00-\x1f\x7f]/g, (ch) => {
    const c = ch.charCodeAt(0);
    return C_ESCAPES[c] ?? `\\${c.toString(8).padStart(3, '0')}`;
  });
}

/**
 * Reads the (possibly compressed) name at `p`. Pointers may point anywhere in the message —
 * forwards too, which real servers do — so loops are caught by remembering each pointer target
 * and hops are capped (limits.maxDnsCompressionHops). Returns null after an anomaly; on success
 * `nameEnd` is the offset after the name's bytes at `p`.
 */
function readName(b: Uint8Array, p: number, msgStart: number, end: number, limits: Limits, ctx: AnomalySink): string | null {
  let next = -1;
  let hops = 0;
  let fill = 0;
  let wire = 1; // the final zero byte
  let special = false;
  for (;;) {
    if (p >= end) {
      ctx.anomaly('dns_truncated', p - msgStart, 'name');
      return null;
    }
    const c = b[p]!;
    if (c === 0) {
      if (next < 0) next = p + 1;
      break;
    }
    const kind = c & 0xc0;
    if (kind === 0xc0) {
      if (p + 1 >= end) {
        ctx.anomaly('dns_truncated', p - msgStart, 'name');
        return null;
      }
      const target = msgStart + (((c & 0x3f) << 8) | b[p + 1]!);
      if (next < 0) next = p + 2;
      for (let i = 0; i < hops; i++) {
        if (visited[i] === target) {
          ctx.anomaly('dns_compression_loop', p - msgStart);
          return null;
        }
      }
      if (hops >= limits.maxDnsCompressionHops) {
        ctx.anomaly('limit_reached', p - msgStart, 'maxDnsCompressionHops');
        return null;
      }
      if (hops >= visited.length) {
        const v = new Int32Array(visited.length * 2);
        v.set(visited);
        visited = v;
      }
      visited[hops++] = target;
      if (target >= end) {
        ctx.anomaly('dns_name_malformed', p - msgStart, 'pointer past the end of the message');
        return null;
      }
      p = target;
      continue;
    }
    if (kind !== 0) {
      ctx.anomaly('dns_name_malformed', p - msgStart, 'reserved label type');
      return null;
    }
    if (p + 1 + c > end) {
      ctx.anomaly('dns_truncated', p - msgStart, 'name');
      return null;
    }
    wire += 1 + c;
    if (wire > MAX_NAME_WIRE_BYTES) {
      ctx.anomaly('dns_name_malformed', p - msgStart, 'name longer than 255 bytes');
      return null;
    }
    if (fill > 0) nameScratch[fill++] = 0x2e;
    for (let i = p + 1; i <= p + c; i++) {
      const x = b[i]!;
      if (x < 0x20 || x >= 0x7f) special = true;
      nameScratch[fill++] = x;
    }
    p += 1 + c;
  }
  nameEnd = next;
  if (fill === 0) return '<Root>';
  if (!special) return nameScratchText.toString(undefined, 0, fill); // printable ASCII: any decoder reads it the same
  return escapeControls(utf8.decode(nameScratch.subarray(0, fill)));
}

// ---- addresses ---------------------------------------------------------------------------

// address text exactly as tshark prints it (shared with the decoder)
export { formatIpv4, formatIpv6 } from '../decode/addr.js';

// ---- records -----------------------------------------------------------------------------

const SVC_PARAM_NAMES = ['mandatory', 'alpn', 'no-default-alpn', 'port', 'ipv4hint', 'ech', 'ipv6hint'];

const u16 = (b: Uint8Array, p: number): number => (b[p]! << 8) | b[p + 1]!;
const u32 = (b: Uint8Array, p: number): number => ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;

/** A name inside RDATA: it must start and (its inline part) end within the RDATA. */
function rdataName(b: Uint8Array, p: number, rdEnd: number, msgStart: number, end: number, limits: Limits, ctx: AnomalySink): string | null {
  const name = readName(b, p, msgStart, end, limits, ctx);
  if (name === null) return null;
  if (nameEnd > rdEnd) {
    ctx.anomaly('dns_record_malformed', p - msgStart, 'name overruns RDATA');
    return null;
  }
  return name;
}

function charStrings(b: Uint8Array, p: number, rdEnd: number): string | null {
  let s = '';
  while (p < rdEnd) {
    const n = b[p]!;
    if (p + 1 + n > rdEnd) return null;
    s += utf8.decode(b.subarray(p + 1, p + 1 + n));
    p += 1 + n;
  }
  return s;
}

function svcbText(b: Uint8Array, p: number, rdEnd: number, msgStart: number, end: number, limits: Limits, ctx: AnomalySink): string | null {
  if (rdEnd - p < 3) return null;
  const priority = u16(b, p);
  const target = rdataName(b, p + 2, rdEnd, msgStart, end, limits, ctx);
  if (target === null) return null;
  let s = `${priority} ${target === '<Root>' ? '.' : target}`;
  for (p = nameEnd; p < rdEnd;) {
    if (rdEnd - p < 4) return null;
    const key = u16(b, p),
      len = u16(b, p + 2);
    const v = p + 4,
      vEnd = v + len;
    if (vEnd > rdEnd) return null;
    const keyName = SVC_PARAM_NAMES[key] ?? `key${key}`;
    switch (key) {
      case 1: {
        // alpn: length-prefixed protocol ids
        const ids: string[] = [];
        for (let q = v; q < vEnd;) {
          const n = b[q]!;
          if (n === 0 || q + 1 + n > vEnd) return null;
          ids.push(utf8.decode(b.subarray(q + 1, q + 1 + n)));
          q += 1 + n;
        }
        s += ` alpn=${ids.join(',')}`;
        break;
      }
      case 3:
        if (len !== 2) return null;
        s += ` port=${u16(b, v)}`;
        break;
      case 4:
      case 6: {
        // ipv4hint / ipv6hint
        const size = key === 4 ? 4 : 16;
        if (len === 0 || len % size !== 0) return null;
        const addrs: string[] = [];
        for (let q = v; q < vEnd; q += size) addrs.push(size === 4 ? formatIpv4(b, q) : formatIpv6(b, q));
        s += ` ${keyName}=${addrs.join(',')}`;
        break;
      }
      case 2:
        s += ' no-default-alpn';
        break;
      default:
        s += ` ${keyName}`; // present; its value (ECH config, mandatory keys) is not needed
    }
    p = vEnd;
  }
  return s;
}

/** RDATA as text (see DnsRecord.data); null when it does not fit its type. */
function rdataText(type: number, b: Uint8Array, p: number, rdEnd: number, msgStart: number, end: number, limits: Limits, ctx: AnomalySink): string | null {
  const len = rdEnd - p;
  switch (type) {
    case DnsType.A:
      return len === 4 ? formatIpv4(b, p) : null;
    case DnsType.AAAA:
      return len === 16 ? formatIpv6(b, p) : null;
    case DnsType.CNAME:
    case DnsType.NS:
    case DnsType.PTR:
    case DnsType.DNAME:
      return rdataName(b, p, rdEnd, msgStart, end, limits, ctx);
    case DnsType.MX: {
      if (len < 3) return null;
      const name = rdataName(b, p + 2, rdEnd, msgStart, end, limits, ctx);
      return name === null ? null : `${u16(b, p)} ${name}`;
    }
    case DnsType.SRV: {
      if (len < 7) return null;
      const name = rdataName(b, p + 6, rdEnd, msgStart, end, limits, ctx);
      return name === null ? null : `${u16(b, p)} ${u16(b, p + 2)} ${u16(b, p + 4)} ${name}`;
    }
    case DnsType.SOA: {
      const mname = rdataName(b, p, rdEnd, msgStart, end, limits, ctx);
      if (mname === null) return null;
      const rname = rdataName(b, nameEnd, rdEnd, msgStart, end, limits, ctx);
      if (rname === null || rdEnd - nameEnd < 20) return null;
      const q = nameEnd;
      return `${mname} ${rname} ${u32(b, q)} ${u32(b, q + 4)} ${u32(b, q + 8)} ${u32(b, q + 12)} ${u32(b, q + 16)}`;
    }
    case DnsType.TXT:
      return charStrings(b, p, rdEnd);
    case DnsType.SVCB:
    case DnsType.HTTPS:
      return svcbText(b, p, rdEnd, msgStart, end, limits, ctx);
    default:
      return '';
  }
}

// ---- messages ----------------------------------------------------------------------------

/** offset after the last entry parsed by the latest parseDnsMessage call (for looksLikeDns) */
let parsedEnd = 0;

/**
 * Parses one DNS message in b[off, end). Returns undefined only when not even the 12-byte
 * header is there; a message cut short or malformed later keeps what was parsed, with
 * `complete` false and an anomaly (offsets are relative to `off`).
 */
export function parseDnsMessage(b: Uint8Array, off: number, end: number, limits: Limits, ctx: AnomalySink): DnsMessage | undefined {
  end = Math.min(end, b.length);
  if (end - off < DNS_HEADER_LEN) {
    ctx.anomaly('dns_truncated', 0, 'header');
    return undefined;
  }
  const flags = u16(b, off + 2);
  const rcode = flags & 0x0f;
  const msg: DnsMessage = {
    id: u16(b, off),
    isResponse: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0x0f,
    rcode,
    rcodeName: dnsRcodeName(rcode),
    truncatedFlag: (flags & 0x0200) !== 0,
    questions: [],
    answers: [],
    authorities: [],
    additionals: [],
    complete: false,
  };
  const qd = u16(b, off + 4);
  const sections = [msg.answers, msg.authorities, msg.additionals];
  const counts = [u16(b, off + 6), u16(b, off + 8), u16(b, off + 10)];
  let p = off + DNS_HEADER_LEN;
  let entries = 0;
  parsedEnd = p;

  for (let i = 0; i < qd; i++) {
    if (entries++ >= limits.maxDnsRecords) {
      ctx.anomaly('limit_reached', p - off, 'maxDnsRecords');
      return msg;
    }
    const name = readName(b, p, off, end, limits, ctx);
    if (name === null) return msg;
    p = nameEnd;
    if (end - p < 4) {
      ctx.anomaly('dns_truncated', p - off, 'question');
      return msg;
    }
    const type = u16(b, p);
    msg.questions.push({ name, type, typeName: dnsTypeName(type), class: u16(b, p + 2) });
    p += 4;
    parsedEnd = p;
  }

  for (let s = 0; s < 3; s++) {
    const list = sections[s]!;
    for (let i = 0; i < counts[s]!; i++) {
      if (entries++ >= limits.maxDnsRecords) {
        ctx.anomaly('limit_reached', p - off, 'maxDnsRecords');
        return msg;
      }
      const name = readName(b, p, off, end, limits, ctx);
      if (name === null) return msg;
      p = nameEnd;
      if (end - p < 10) {
        ctx.anomaly('dns_truncated', p - off, 'record');
        return msg;
      }
      const type = u16(b, p);
      const rdLen = u16(b, p + 8);
      const rd = p + 10;
      if (rd + rdLen > end) {
        ctx.anomaly('dns_truncated', p - off, 'rdata');
        return msg;
      }
      const data = rdataText(type, b, rd, rd + rdLen, off, end, limits, ctx);
      if (data === null) ctx.anomaly('dns_record_malformed', rd - off, dnsTypeName(type));
      list.push({ name, type, typeName: dnsTypeName(type), class: u16(b, p + 2), ttl: u32(b, p + 4), data: data ?? '' });
      p = rd + rdLen;
      parsedEnd = p;
    }
  }
  msg.complete = true;
  return msg;
}

/** QCLASS values a real question carries (the mDNS unicast-response bit aside): IN, CH, HS, NONE, ANY */
function plausibleClass(c: number): boolean {
  const k = c & 0x7fff;
  return k === 1 || k === 3 || k === 4 || k === 254 || k === 255;
}

/**
 * Plausibility check for a UDP payload on a port that is not a DNS port: a header with 1–4
 * questions and modest record counts, a standard opcode, and a message that parses completely
 * and exactly fills the payload with questions of a real class.
 */
export function looksLikeDns(b: Uint8Array, off: number, end: number): boolean {
  end = Math.min(end, b.length);
  if (end - off < DNS_HEADER_LEN + 5) return false;
  const flags = u16(b, off + 2);
  const opcode = (flags >> 11) & 0x0f;
  const qd = u16(b, off + 4),
    an = u16(b, off + 6),
    ns = u16(b, off + 8),
    ar = u16(b, off + 10);
  if (qd < 1 || qd > 4 || an > 128 || ns > 64 || ar > 64) return false;
  if (opcode !== 0 && opcode !== 1 && opcode !== 2 && opcode !== 4 && opcode !== 5) return false;
  const msg = parseDnsMessage(b, off, end, DEFAULT_LIMITS, IGNORE_ANOMALIES);
  if (!msg || !msg.complete || parsedEnd !== end) return false;
  for (const q of msg.questions) if (!plausibleClass(q.class)) return false;
  return true;
}

// ---- DNS over TCP ------------------------------------------------------------------------

/** Bytes one length-prefixed DNS-over-TCP message occupies (2 + length), or NEED_MORE. */
export function dnsTcpMessageLength(b: Uint8Array, off: number, end: number): number {
  if (end - off < 2) return NEED_MORE;
  const total = 2 + u16(b, off);
  return end - off < total ? NEED_MORE : total;
}

/**
 * One direction of a DNS-over-TCP stream: splits it into length-prefixed messages however the
 * bytes arrive, and hands each parsed message to `onMessage`. Only an unfinished message is
 * buffered (at most 65 537 bytes, the largest a 2-byte length allows). A message that does not
 * parse does not stop the stream: the length prefix keeps the framing.
 */
export class DnsTcpFramer {
  private readonly carry = new CarryBuffer(512);
  /** a capture gap broke the framing: nothing more is parsed */
  private stopped = false;

  constructor(
    private readonly limits: Limits,
    private readonly ctx: AnomalySink,
    private readonly onMessage: (msg: DnsMessage) => void,
  ) {}

  /** `n` bytes were not captured: the next length prefix cannot be found, so parsing stops. */
  gap(n: number): void {
    if (this.stopped) return;
    this.stopped = true;
    this.carry.clear();
    this.ctx.anomaly('dns_tcp_gap', 0, `${n} bytes`);
  }

  push(bytes: Uint8Array): void {
    if (bytes.length === 0 || this.stopped) return;
    const data = this.carry.join(bytes);
    const end = data.length;
    let off = 0;
    for (;;) {
      const total = dnsTcpMessageLength(data, off, end);
      if (total === NEED_MORE) break;
      if (total === 2) {
        this.ctx.anomaly('dns_truncated', 0, 'empty TCP message');
      } else {
        const msg = parseDnsMessage(data, off + 2, off + total, this.limits, this.ctx);
        if (msg) this.onMessage(msg);
      }
      off += total;
    }
    this.carry.keep(data, off);
  }

  /** bytes of an unfinished message held (a stream that ends with some is cut short) */
  get pendingBytes(): number {
    return this.carry.length;
  }
}
