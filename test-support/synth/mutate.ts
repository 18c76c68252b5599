/**
 * Deterministic mutations of capture files for the fuzzer (test/fuzz, bench/fuzz.mjs).
 *
 * One iteration = one seed = one mutated copy: the same (input, iteration, base seed) always
 * gives the same bytes, so any failure is reproduced by its iteration number alone.
 *
 * Operators:
 * - `editcap`: Wireshark's `editcap -E` inside packet data (record headers untouched): each
 *   byte is hit with a small probability by a bit flip, a random byte, an alphanumeric run,
 *   a "%s" or 0xAA to the end of the packet, weighted 5:5:5:2:1 as editcap.c does.
 * - `truncate`: the file cut at a random offset.
 * - `duplicate` / `remove` / `swap`: whole records (pcap) or blocks (pcapng).
 * - `record-length`: a record's caplen/origlen (pcap) or a block's length (pcapng) set to an
 *   edge value.
 * - `field-length`: a length field inside the packet (IPv4 IHL/total length, IPv6 payload
 *   length, TCP data offset, UDP length, TLS record/handshake length, DNS counts) set to an
 *   edge value.
 * - `file-header`: snaplen or link type of a classic pcap file header changed.
 */
import { LINK_TYPES } from '../../src/decode/registry.js';

/** mulberry32: a tiny, fast, well-mixed 32-bit PRNG (good enough for fuzzing, not crypto). */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** a uniform 32-bit unsigned integer */
  u32(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** a uniform integer in [0, n) (n ≥ 1) */
  below(n: number): number {
    return Math.floor((this.u32() / 0x1_0000_0000) * n);
  }
  /** a uniform float in [0, 1) */
  float(): number {
    return this.u32() / 0x1_0000_0000;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }
}

/** The seed of one fuzz iteration: distinct, well-spread seeds for consecutive iterations. */
export function iterationSeed(iteration: number, baseSeed = 0): number {
  return (Math.imul(iteration + 1, 0x9e3779b9) ^ Math.imul(baseSeed, 0x85ebca6b)) >>> 0;
}

/** One record (pcap) or block (pcapng) of a capture file. */
export interface CaptureUnit {
  /** offset of the record header / block in the file */
  offset: number;
  /** bytes the unit occupies, header (and trailer) included */
  length: number;
  /** offset and length of the packet bytes inside it (0, 0 for non-packet blocks) */
  dataOffset: number;
  dataLength: number;
}

export interface CaptureLayout {
  format: 'pcap' | 'pcapng';
  littleEndian: boolean;
  /** bytes before the first unit (the pcap file header; 0 for pcapng, whose SHB is a unit) */
  headerLength: number;
  /** LINKTYPE of a classic pcap file (-1 for pcapng) */
  linkType: number;
  units: CaptureUnit[];
}

const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_EPB = 6;
const PCAPNG_SPB = 3;
const PCAPNG_OPB = 2;

function u32(b: Uint8Array, off: number, le: boolean): number {
  return le
    ? (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0
    : ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0;
}

function put32(b: Uint8Array, off: number, v: number, le: boolean): void {
  if (off < 0 || off + 4 > b.length) return;
  for (let i = 0; i < 4; i++) b[off + (le ? i : 3 - i)] = (v >>> (8 * i)) & 0xff;
}

/**
 * Splits a well-formed capture into its records or blocks. Stops at the first unit that does
 * not fit (the layout of a clean input is what the fuzzer mutates; damage comes afterwards).
 * Returns undefined for bytes that are neither pcap nor pcapng.
 */
export function captureLayout(b: Uint8Array): CaptureLayout | undefined {
  if (b.length < 24) return undefined;
  const be = u32(b, 0, false);
  const le = u32(b, 0, true);
  if (be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS || le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS) {
    const little = le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS;
    const units: CaptureUnit[] = [];
    let off = 24;
    while (off + 16 <= b.length) {
      const caplen = u32(b, off + 8, little);
      if (off + 16 + caplen > b.length) break;
      units.push({ offset: off, length: 16 + caplen, dataOffset: off + 16, dataLength: caplen });
      off += 16 + caplen;
    }
    return { format: 'pcap', littleEndian: little, headerLength: 24, linkType: u32(b, 20, little) & 0xffff, units };
  }
  if (be !== PCAPNG_SHB) return undefined;
  // byte order comes from the section header's byte-order magic; one byte order per file here
  const little = u32(b, 8, true) === 0x1a2b3c4d;
  const units: CaptureUnit[] = [];
  let off = 0;
  while (off + 12 <= b.length) {
    const type = u32(b, off, little);
    const len = u32(b, off + 4, little);
    if (len < 12 || len % 4 !== 0 || off + len > b.length) break;
    let dataOffset = 0;
    let dataLength = 0;
    if ((type === PCAPNG_EPB || type === PCAPNG_OPB) && len >= 32) {
      dataOffset = off + 28;
      dataLength = Math.min(u32(b, off + 20, little), len - 32);
    } else if (type === PCAPNG_SPB && len >= 16) {
      dataOffset = off + 12;
      dataLength = len - 16;
    }
    units.push({ offset: off, length: len, dataOffset, dataLength });
    off += len;
  }
  return { format: 'pcapng', littleEndian: little, headerLength: 0, linkType: -1, units };
}

export type MutationKind = 'editcap' | 'truncate' | 'duplicate' | 'remove' | 'swap' | 'record-length' | 'field-length' | 'file-header';

export const MUTATION_KINDS: readonly MutationKind[] = ['editcap', 'truncate', 'duplicate', 'remove', 'swap', 'record-length', 'field-length', 'file-header'];

export interface MutationResult {
  bytes: Uint8Array;
  /** what was done, in order, e.g. `editcap p=0.02 hits=7`, `truncate at=812` */
  applied: string[];
}

export interface MutateOptions {
  /** base seed mixed into every iteration's seed (default 0) */
  baseSeed?: number;
  /** most operators stacked on one copy (default 3) */
  maxOperators?: number;
  /** restrict the operators used */
  kinds?: readonly MutationKind[];
}

/** Edge values a corrupted 16-bit length takes: zero, one, off-by-one around the truth, all ones. */
function edge16(rng: Rng, truth: number): number {
  return rng.pick([0, 1, 2, 3, 4, 5, truth - 1, truth + 1, truth * 2, 0x7fff, 0x8000, 0xfffe, 0xffff, rng.below(0x10000)]) & 0xffff;
}

function edge32(rng: Rng, truth: number): number {
  return rng.pick([0, 1, truth - 1, truth + 1, truth + 4096, 0xffff, 0x10000, 0x40000, 0x40001, 0x7fffffff, 0xffffffff, rng.u32()]) >>> 0;
}

/**
 * A mutated copy of `clean` for one fuzz iteration. Deterministic in (clean, iteration,
 * options.baseSeed). `layout` may be passed to avoid re-splitting the same input.
 */
export function mutateCapture(clean: Uint8Array, iteration: number, options: MutateOptions = {}, layout = captureLayout(clean)): MutationResult {
  const rng = new Rng(iterationSeed(iteration, options.baseSeed ?? 0));
  const kinds = options.kinds ?? MUTATION_KINDS;
  const operators = 1 + rng.below(Math.max(1, options.maxOperators ?? 3));
  const applied: string[] = [];
  let units = layout ? layout.units.map((u) => ({ ...u })) : [];
  // structural operators first (they rebuild the file), byte-level ones after
  const chosen = Array.from({ length: operators }, () => rng.pick(kinds)).sort((a, b) => rank(a) - rank(b));

  let bytes: Uint8Array = Uint8Array.prototype.slice.call(clean);
  for (const kind of chosen) {
    switch (kind) {
      case 'duplicate':
      case 'remove':
      case 'swap': {
        // keep the pcapng section header (unit 0) in place: mutating it is the file-header's job
        const first = layout?.format === 'pcapng' ? 1 : 0;
        if (!layout || units.length - first < 1) break;
        const i = first + rng.below(units.length - first);
        if (kind === 'duplicate') units.splice(i, 0, units[i]);
        else if (kind === 'remove') units.splice(i, 1);
        else {
          const j = first + rng.below(units.length - first);
          [units[i], units[j]] = [units[j], units[i]];
        }
        bytes = rebuild(bytes, layout.headerLength, units);
        units = relayout(units, layout.headerLength);
        applied.push(`${kind} unit=${i}`);
        break;
      }
      case 'truncate': {
        const at = rng.below(bytes.length + 1);
        bytes = bytes.subarray(0, at);
        units = units.filter((u) => u.offset + u.length <= at);
        applied.push(`truncate at=${at}`);
        break;
      }
      case 'record-length': {
        if (!layout || units.length === 0) break;
        const u = units[rng.below(units.length)];
        if (layout.format === 'pcap') {
          const field = rng.below(2) === 0 ? 8 : 12; // caplen or origlen
          const v = edge32(rng, u.dataLength);
          put32(bytes, u.offset + field, v, layout.littleEndian);
          applied.push(`record-length unit@${u.offset} ${field === 8 ? 'caplen' : 'origlen'}=${v}`);
        } else {
          const where = rng.pick([4, u.length - 4, 20]); // leading length, trailing length, EPB caplen
          const v = edge32(rng, u.length);
          put32(bytes, u.offset + where, v, layout.littleEndian);
          applied.push(`record-length block@${u.offset}+${where}=${v}`);
        }
        break;
      }
      case 'field-length': {
        const packets = units.filter((u) => u.dataLength > 0);
        if (!layout || packets.length === 0) break;
        const u = packets[rng.below(packets.length)];
        const fields = lengthFields(bytes, u.dataOffset, Math.min(bytes.length, u.dataOffset + u.dataLength), layout.linkType);
        if (fields.length === 0) break;
        const f = rng.pick(fields);
        const v = f.bits === 4 ? rng.below(16) : f.bits === 8 ? rng.below(256) : edge16(rng, f.truth);
        writeField(bytes, f, v);
        applied.push(`field-length ${f.name}@${f.offset}=${v}`);
        break;
      }
      case 'editcap': {
        const packets = units.filter((u) => u.dataLength > 0);
        if (packets.length === 0) break;
        const p = rng.pick([0.001, 0.005, 0.02, 0.05]);
        let hits = 0;
        for (const u of packets) hits += editcapErrors(bytes, u.dataOffset, Math.min(bytes.length, u.dataOffset + u.dataLength), p, rng);
        applied.push(`editcap p=${p} hits=${hits}`);
        break;
      }
      case 'file-header': {
        if (layout?.format !== 'pcap' || bytes.length < 24) break;
        if (rng.below(2) === 0) {
          const v = rng.pick([0, 1, 64, 65535, 0xffffffff]);
          put32(bytes, 16, v, layout.littleEndian);
          applied.push(`file-header snaplen=${v}`);
        } else {
          // link types the decoder knows (its one table), and one it does not
          const v = rng.pick([...LINK_TYPES.keys(), 147]);
          put32(bytes, 20, v, layout.littleEndian);
          applied.push(`file-header linktype=${v}`);
        }
        break;
      }
    }
  }
  return { bytes, applied };
}

function rank(kind: MutationKind): number {
  return kind === 'duplicate' || kind === 'remove' || kind === 'swap' ? 0 : kind === 'truncate' ? 2 : 1;
}

function rebuild(src: Uint8Array, headerLength: number, units: readonly CaptureUnit[]): Uint8Array {
  let n = headerLength;
  for (const u of units) n += u.length;
  const out = new Uint8Array(n);
  out.set(src.subarray(0, headerLength), 0);
  let off = headerLength;
  for (const u of units) {
    out.set(src.subarray(u.offset, u.offset + u.length), off);
    off += u.length;
  }
  return out;
}

function relayout(units: readonly CaptureUnit[], headerLength: number): CaptureUnit[] {
  let off = headerLength;
  return units.map((u) => {
    const moved = { offset: off, length: u.length, dataOffset: u.dataLength > 0 ? off + (u.dataOffset - u.offset) : 0, dataLength: u.dataLength };
    off += u.length;
    return moved;
  });
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * editcap -E over bytes [off, end): returns how many bytes were hit. Weights and kinds follow
 * editcap.c (ERR_WT_BIT 5, BYTE 5, ALNUM 5, FMT 2, AA 1).
 */
export function editcapErrors(b: Uint8Array, off: number, end: number, probability: number, rng: Rng): number {
  let hits = 0;
  for (let i = off; i < end; i++) {
    if (rng.float() >= probability) continue;
    hits++;
    const kind = rng.below(18);
    if (kind < 5) b[i] ^= 1 << rng.below(8);
    else if (kind < 10) b[i] = rng.below(256);
    else if (kind < 15) {
      const n = Math.min(end - i, 1 + rng.below(8));
      for (let k = 0; k < n; k++) b[i + k] = ALNUM.charCodeAt(rng.below(ALNUM.length));
    } else if (kind < 17) {
      if (i + 2 <= end) {
        b[i] = 0x25; // '%'
        b[i + 1] = 0x73; // 's'
      }
    } else {
      b.fill(0xaa, i, end);
      break;
    }
  }
  return hits;
}

/** A length field found inside a packet. `bits` 4 = high nibble, 8 = one byte, 16 = big-endian u16. */
export interface LengthField {
  name: string;
  offset: number;
  bits: 4 | 8 | 16;
  /** its current value */
  truth: number;
}

function writeField(b: Uint8Array, f: LengthField, v: number): void {
  if (f.bits === 4) b[f.offset] = (b[f.offset] & 0x0f) | ((v & 0x0f) << 4);
  else if (f.bits === 8) b[f.offset] = v & 0xff;
  else {
    b[f.offset] = (v >>> 8) & 0xff;
    b[f.offset + 1] = v & 0xff;
  }
}

/**
 * The length fields of an Ethernet / BSD-loopback / raw-IP packet in [off, end): IP, TCP/UDP
 * and, in the payload, a TLS record and handshake header or a DNS header. Stops quietly where
 * the packet is shorter than a header (it is a fuzzer's helper, not a decoder).
 */
export function lengthFields(b: Uint8Array, off: number, end: number, linkType: number): LengthField[] {
  const out: LengthField[] = [];
  const u16 = (o: number) => (b[o] << 8) | b[o + 1];
  let ip = -1;
  if (linkType === 1 && end - off >= 14) {
    const type = u16(off + 12);
    if (type === 0x0800 || type === 0x86dd) ip = off + 14;
  } else if ((linkType === 0 || linkType === 108) && end - off >= 4) ip = off + 4;
  else if (linkType === 101 || linkType === 228 || linkType === 229 || linkType === 12) ip = off;
  if (ip < 0 || end - ip < 20) return out;

  let l4 = -1;
  let proto = -1;
  let l4End = end;
  const version = b[ip] >> 4;
  if (version === 4) {
    const ihl = (b[ip] & 0x0f) * 4;
    out.push({ name: 'ipv4.ihl', offset: ip, bits: 4, truth: ihl / 4 }, { name: 'ipv4.total_length', offset: ip + 2, bits: 16, truth: u16(ip + 2) });
    if (ihl < 20 || ip + ihl > end) return out;
    l4 = ip + ihl;
    proto = b[ip + 9];
    l4End = Math.min(end, ip + u16(ip + 2));
  } else if (version === 6 && end - ip >= 40) {
    out.push({ name: 'ipv6.payload_length', offset: ip + 4, bits: 16, truth: u16(ip + 4) });
    l4 = ip + 40;
    proto = b[ip + 6];
    l4End = Math.min(end, l4 + u16(ip + 4));
  } else return out;

  let payload = -1;
  if (proto === 6 && l4End - l4 >= 20) {
    const doff = (b[l4 + 12] >> 4) * 4;
    out.push({ name: 'tcp.data_offset', offset: l4 + 12, bits: 4, truth: doff / 4 });
    // the first option's length byte, when there is one with a length
    if (doff > 20 && l4 + 22 <= l4End && b[l4 + 20] > 1) out.push({ name: 'tcp.option_length', offset: l4 + 21, bits: 8, truth: b[l4 + 21] });
    if (doff >= 20) payload = l4 + doff;
  } else if (proto === 17 && l4End - l4 >= 8) {
    out.push({ name: 'udp.length', offset: l4 + 4, bits: 16, truth: u16(l4 + 4) });
    payload = l4 + 8;
    // DNS header counts (any UDP payload of 12+ bytes on port 53)
    if ((u16(l4) === 53 || u16(l4 + 2) === 53) && l4End - payload >= 12) {
      for (const [name, at] of [
        ['dns.qdcount', 4],
        ['dns.ancount', 6],
        ['dns.nscount', 8],
        ['dns.arcount', 10],
      ] as const) {
        out.push({ name, offset: payload + at, bits: 16, truth: u16(payload + at) });
      }
    }
  }
  // a TLS record at the start of a TCP payload: record length and handshake length (low 16 bits)
  if (proto === 6 && payload > 0 && l4End - payload >= 9 && b[payload] >= 20 && b[payload] <= 23 && b[payload + 1] === 3) {
    out.push({ name: 'tls.record_length', offset: payload + 3, bits: 16, truth: u16(payload + 3) });
    if (b[payload] === 22) out.push({ name: 'tls.handshake_length', offset: payload + 7, bits: 16, truth: u16(payload + 7) });
  }
  return out;
}
