/**
 * Packet builders for tests, fixtures, the benchmark generator and the fuzzer. Each returns
 * a new Uint8Array holding one header followed by the given payload; nest them to build a
 * frame: `ethernet({type: 0x0800}, ipv4({src, dst, proto: 6}, tcp({…}, data, {src, dst})))`.
 * Lengths and checksums are computed unless an option overrides them (to build damage).
 * Each call copies its payload once (addresses are parsed once and cached), so generating
 * hundreds of megabytes of packets is bounded by memory bandwidth, not by the builders.
 */
import { parseIp } from '../../src/decode/addr.js';

export const tcpFlags = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80 } as const;

export const ETHERTYPE = { IPV4: 0x0800, IPV6: 0x86dd, VLAN: 0x8100, QINQ: 0x88a8, PPPOE_SESSION: 0x8864, ARP: 0x0806 } as const;
export const IP_PROTO = { ICMP: 1, IPIP: 4, TCP: 6, UDP: 17, IPV6: 41, GRE: 47, ICMPV6: 58, NONE: 59 } as const;

const addressCache = new Map<string, Uint8Array>();

function addr(text: string): Uint8Array {
  let b = addressCache.get(text);
  if (b === undefined) {
    b = parseIp(text);
    if (!b) throw new RangeError(`not an IP address: ${text}`);
    if (addressCache.size >= 65536) addressCache.clear();
    addressCache.set(text, b);
  }
  return b;
}

function mac(text: string): Uint8Array {
  const parts = text.split(':');
  if (parts.length !== 6) throw new RangeError(`not a MAC address: ${text}`);
  return Uint8Array.from(parts, (p) => parseInt(p, 16));
}

/** header + payload in one new array */
function withPayload(headerLen: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(headerLen + payload.length);
  out.set(payload, headerLen);
  return out;
}

function put16(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 8) & 0xff;
  b[off + 1] = v & 0xff;
}

function put32(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 24) & 0xff;
  b[off + 1] = (v >>> 16) & 0xff;
  b[off + 2] = (v >>> 8) & 0xff;
  b[off + 3] = v & 0xff;
}

/** ones'-complement sum of 16-bit words (RFC 1071), not yet folded or inverted */
function sum16(b: Uint8Array, off: number, end: number, acc: number): number {
  let i = off;
  for (; i + 1 < end; i += 2) acc += (b[i] << 8) | b[i + 1];
  if (i < end) acc += b[i] << 8;
  return acc;
}

function fold(acc: number): number {
  while (acc > 0xffff) acc = (acc & 0xffff) + Math.floor(acc / 0x10000);
  return ~acc & 0xffff;
}

/** checksum of a TCP/UDP segment with the IPv4 or IPv6 pseudo header */
function transportChecksum(seg: Uint8Array, proto: number, src: Uint8Array, dst: Uint8Array): number {
  let acc = sum16(src, 0, src.length, 0);
  acc = sum16(dst, 0, dst.length, acc);
  acc += proto + (seg.length & 0xffff) + Math.floor(seg.length / 0x10000);
  return fold(sum16(seg, 0, seg.length, acc));
}

// ---- link layers ----

export interface EthernetOptions {
  dst?: string;
  src?: string;
  /** ethertype, or an 802.3 length (≤ 1500) */
  type: number;
}

export function ethernet(opts: EthernetOptions, payload: Uint8Array): Uint8Array {
  const out = withPayload(14, payload);
  out.set(mac(opts.dst ?? '02:00:00:00:00:02'), 0);
  out.set(mac(opts.src ?? '02:00:00:00:00:01'), 6);
  put16(out, 12, opts.type);
  return out;
}

export interface VlanTag {
  /** VLAN id, 0–4095 */
  vid: number;
  pcp?: number;
  /** ethertype of what follows the tag */
  type: number;
}

/** An 802.1Q tag and the inner payload; put it after an ethertype 0x8100/0x88a8/0x9100. */
export function vlan(tag: VlanTag, inner: Uint8Array): Uint8Array {
  const out = withPayload(4, inner);
  put16(out, 0, ((tag.pcp ?? 0) << 13) | (tag.vid & 0x0fff));
  put16(out, 2, tag.type);
  return out;
}

export interface SllOptions {
  /** ethertype (or a Linux non-Ethernet protocol value below 0x0600) */
  protocol: number;
  /** 0 to us, 4 outgoing, … */
  packetType?: number;
  /** ARPHRD_ type, 1 = Ethernet */
  arphrd?: number;
  /** link-layer address, up to 8 bytes */
  addr?: string;
  /** SLL2 only */
  ifindex?: number;
}

/** Linux cooked header v1 (LINKTYPE_LINUX_SLL 113). */
export function sll(opts: SllOptions, payload: Uint8Array): Uint8Array {
  const out = withPayload(16, payload);
  const a = mac(opts.addr ?? '02:00:00:00:00:01');
  put16(out, 0, opts.packetType ?? 0);
  put16(out, 2, opts.arphrd ?? 1);
  put16(out, 4, a.length);
  out.set(a, 6);
  put16(out, 14, opts.protocol);
  return out;
}

/** Linux cooked header v2 (LINKTYPE_LINUX_SLL2 276). */
export function sll2(opts: SllOptions, payload: Uint8Array): Uint8Array {
  const out = withPayload(20, payload);
  const a = mac(opts.addr ?? '02:00:00:00:00:01');
  put16(out, 0, opts.protocol);
  put32(out, 4, opts.ifindex ?? 1);
  put16(out, 8, opts.arphrd ?? 1);
  out[10] = opts.packetType ?? 0;
  out[11] = a.length;
  out.set(a, 12);
  return out;
}

/** BSD loopback header (LINKTYPE_NULL 0): family in the writer's byte order. */
export function nullLoopback(family: number, payload: Uint8Array, littleEndian = true): Uint8Array {
  const out = withPayload(4, payload);
  if (littleEndian) {
    out[0] = family & 0xff;
    out[1] = (family >>> 8) & 0xff;
  } else put32(out, 0, family);
  return out;
}

/** OpenBSD loopback header (LINKTYPE_LOOP 108): family in network byte order. */
export function loop(family: number, payload: Uint8Array): Uint8Array {
  return nullLoopback(family, payload, false);
}

/** PPPoE session header + PPP protocol (0x0021 IPv4, 0x0057 IPv6). */
export function pppoe(opts: { session?: number; pppProtocol: number }, payload: Uint8Array): Uint8Array {
  const out = withPayload(8, payload);
  out[0] = 0x11;
  out[1] = 0;
  put16(out, 2, opts.session ?? 1);
  put16(out, 4, payload.length + 2);
  put16(out, 6, opts.pppProtocol);
  return out;
}

// ---- IP ----

export interface Ipv4Options {
  src: string;
  dst: string;
  proto: number;
  id?: number;
  ttl?: number;
  /** the 3 flag bits: 2 = DF, 1 = MF */
  flags?: number;
  /** fragment offset in bytes (a multiple of 8) */
  fragOffset?: number;
  /** option bytes, padded with zeros to a multiple of 4 */
  options?: Uint8Array;
  /** overrides, to build damage */
  ihl?: number;
  totalLength?: number;
}

export function ipv4(opts: Ipv4Options, payload: Uint8Array): Uint8Array {
  const optLen = opts.options ? (opts.options.length + 3) & ~3 : 0;
  const headerLen = 20 + optLen;
  const out = withPayload(headerLen, payload);
  out[0] = 0x40 | ((opts.ihl ?? headerLen / 4) & 0x0f);
  put16(out, 2, opts.totalLength ?? headerLen + payload.length);
  put16(out, 4, opts.id ?? 0);
  put16(out, 6, ((opts.flags ?? 0) << 13) | (((opts.fragOffset ?? 0) / 8) & 0x1fff));
  out[8] = opts.ttl ?? 64;
  out[9] = opts.proto;
  out.set(addr(opts.src), 12);
  out.set(addr(opts.dst), 16);
  if (opts.options) out.set(opts.options, 20);
  put16(out, 10, fold(sum16(out, 0, headerLen, 0)));
  return out;
}

/** An IPv6 extension header: generic (type + body) or a fragment header. */
export type Ipv6Extension = { type: number; data?: Uint8Array } | { type: 44; fragOffset: number; more: boolean; id: number };

export interface Ipv6Options {
  src: string;
  dst: string;
  /** protocol of the payload (after any extension headers) */
  nextHeader: number;
  hopLimit?: number;
  extensions?: Ipv6Extension[];
  /** override, to build damage */
  payloadLength?: number;
}

function extensionLength(ext: Ipv6Extension): number {
  if ('fragOffset' in ext) return 8;
  const body = ext.data?.length ?? 0;
  if (ext.type === 51) return (body + 2 + 3) & ~3; // AH: 4-byte units
  return (body + 2 + 7) & ~7;
}

export function ipv6(opts: Ipv6Options, payload: Uint8Array): Uint8Array {
  const exts = opts.extensions ?? [];
  let headerLen = 40;
  for (const e of exts) headerLen += extensionLength(e);
  const out = withPayload(headerLen, payload);
  out[0] = 0x60;
  put16(out, 4, opts.payloadLength ?? headerLen - 40 + payload.length);
  out[6] = exts.length > 0 ? exts[0].type : opts.nextHeader;
  out[7] = opts.hopLimit ?? 64;
  out.set(addr(opts.src), 8);
  out.set(addr(opts.dst), 24);
  let p = 40;
  for (let i = 0; i < exts.length; i++) {
    const e = exts[i];
    const len = extensionLength(e);
    out[p] = i + 1 < exts.length ? exts[i + 1].type : opts.nextHeader;
    if ('fragOffset' in e) {
      put16(out, p + 2, (e.fragOffset & 0xfff8) | (e.more ? 1 : 0));
      put32(out, p + 4, e.id);
    } else {
      out[p + 1] = e.type === 51 ? len / 4 - 2 : len / 8 - 1;
      if (e.data) out.set(e.data, p + 2);
    }
    p += len;
  }
  return out;
}

/**
 * Splits one IPv4 datagram's payload into fragments of at most `fragmentSize` payload bytes
 * (rounded down to a multiple of 8). Returns the IPv4 packets in order.
 */
export function ipv4Fragments(opts: Ipv4Options, payload: Uint8Array, fragmentSize: number): Uint8Array[] {
  const size = fragmentSize & ~7;
  if (size <= 0) throw new RangeError('fragmentSize must be at least 8');
  const out: Uint8Array[] = [];
  for (let off = 0; off < payload.length; off += size) {
    const end = Math.min(off + size, payload.length);
    const more = end < payload.length;
    out.push(ipv4({ ...opts, flags: ((opts.flags ?? 0) & 2) | (more ? 1 : 0), fragOffset: off }, payload.subarray(off, end)));
  }
  return out;
}

/**
 * Splits an IPv6 payload (the transport header and data; `opts.nextHeader` names it) into
 * fragments of at most `fragmentSize` bytes, each with a fragment header of the given id.
 */
export function ipv6Fragments(opts: Ipv6Options, payload: Uint8Array, fragmentSize: number, id: number): Uint8Array[] {
  const size = fragmentSize & ~7;
  if (size <= 0) throw new RangeError('fragmentSize must be at least 8');
  const out: Uint8Array[] = [];
  for (let off = 0; off < payload.length; off += size) {
    const end = Math.min(off + size, payload.length);
    const frag: Ipv6Extension = { type: 44, fragOffset: off, more: end < payload.length, id };
    out.push(ipv6({ ...opts, extensions: [...(opts.extensions ?? []), frag] }, payload.subarray(off, end)));
  }
  return out;
}

/** GRE header (RFC 2784/2890) with an optional key, then the payload of `protocol`. */
export function gre(opts: { protocol: number; key?: number }, payload: Uint8Array): Uint8Array {
  const headerLen = opts.key === undefined ? 4 : 8;
  const out = withPayload(headerLen, payload);
  put16(out, 0, opts.key === undefined ? 0 : 0x2000);
  put16(out, 2, opts.protocol);
  if (opts.key !== undefined) put32(out, 4, opts.key);
  return out;
}

/** GTP-U v1 G-PDU header (no optional fields) around a user IP packet. */
export function gtpu(opts: { teid: number }, payload: Uint8Array): Uint8Array {
  const out = withPayload(8, payload);
  out[0] = 0x30;
  out[1] = 0xff;
  put16(out, 2, payload.length);
  put32(out, 4, opts.teid);
  return out;
}

// ---- transport ----

export interface Endpoints {
  src: string;
  dst: string;
}

export interface TcpOptions {
  sport: number;
  dport: number;
  seq: number;
  ack?: number;
  flags: number;
  window?: number;
  /** option bytes, padded with EOL (zeros) to a multiple of 4 */
  options?: Uint8Array;
  /** override, to build damage */
  dataOffset?: number;
}

/** A TCP segment with a correct checksum over the IPv4/IPv6 pseudo header of `ends`. */
export function tcp(opts: TcpOptions, payload: Uint8Array, ends: Endpoints): Uint8Array {
  const optLen = opts.options ? (opts.options.length + 3) & ~3 : 0;
  const headerLen = 20 + optLen;
  const out = withPayload(headerLen, payload);
  put16(out, 0, opts.sport);
  put16(out, 2, opts.dport);
  put32(out, 4, opts.seq);
  put32(out, 8, opts.ack ?? 0);
  out[12] = ((opts.dataOffset ?? headerLen / 4) & 0x0f) << 4;
  out[13] = opts.flags;
  put16(out, 14, opts.window ?? 65535);
  if (opts.options) out.set(opts.options, 20);
  put16(out, 16, transportChecksum(out, 6, addr(ends.src), addr(ends.dst)));
  return out;
}

/** A UDP datagram with a correct checksum (0 is sent as 0xffff, RFC 768). */
export function udp(opts: { sport: number; dport: number; length?: number }, payload: Uint8Array, ends: Endpoints): Uint8Array {
  const out = withPayload(8, payload);
  put16(out, 0, opts.sport);
  put16(out, 2, opts.dport);
  put16(out, 4, opts.length ?? 8 + payload.length);
  const sum = transportChecksum(out, 17, addr(ends.src), addr(ends.dst));
  put16(out, 6, sum === 0 ? 0xffff : sum);
  return out;
}
