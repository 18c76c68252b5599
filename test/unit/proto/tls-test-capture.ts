/**
 * Test-only: a tiny pcap/pcapng reader (Ethernet, BSD null; IPv4/IPv6; TCP/UDP) so the TLS and
 * QUIC tests can take their bytes from the real captures in ../shared by path. It trusts its
 * input (these files are known) and is no substitute for src/capture/ and src/flow/.
 */
import { readFileSync } from 'node:fs';

export interface TestSegment {
  frame: number;
  proto: 6 | 17;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  seq: number;
  flags: number;
  payload: Uint8Array;
}

function* records(buf: Buffer): Generator<{ frame: number; link: number; data: Uint8Array }> {
  const magic = buf.readUInt32LE(0);
  let frame = 0;
  if (magic === 0x0a0d0d0a) {                           // pcapng, little-endian sections only
    const links: number[] = [];
    for (let p = 0; p + 12 <= buf.length;) {
      const type = buf.readUInt32LE(p), len = buf.readUInt32LE(p + 4);
      if (type === 0x0a0d0d0a) links.length = 0;
      else if (type === 1) links.push(buf.readUInt16LE(p + 8));
      else if (type === 6) {
        const caplen = buf.readUInt32LE(p + 20);
        yield { frame: ++frame, link: links[buf.readUInt32LE(p + 8)]!, data: buf.subarray(p + 28, p + 28 + caplen) };
      } else if (type === 3) {
        frame++;
        yield { frame, link: links[0]!, data: buf.subarray(p + 12, p + len - 4) };
      }
      p += len;
    }
    return;
  }
  if (magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) throw new Error('test helper reads little-endian pcap/pcapng only');
  const link = buf.readUInt32LE(20);
  for (let p = 24; p + 16 <= buf.length;) {
    const caplen = buf.readUInt32LE(p + 8);
    yield { frame: ++frame, link, data: buf.subarray(p + 16, p + 16 + caplen) };
    p += 16 + caplen;
  }
}

function ip4(b: Uint8Array, o: number): string { return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`; }
function ip6(b: Uint8Array, o: number): string {
  return Array.from({ length: 8 }, (_, i) => ((b[o + 2 * i]! << 8) | b[o + 2 * i + 1]!).toString(16)).join(':');
}

/** every TCP/UDP packet of a capture, in file order (no IP fragments, no tunnels) */
export function readSegments(file: string): TestSegment[] {
  const out: TestSegment[] = [];
  for (const { frame, link, data } of records(readFileSync(file))) {
    let p: number;
    let etherType: number;
    if (link === 1) {
      p = 14; etherType = (data[12]! << 8) | data[13]!;
      while (etherType === 0x8100) { etherType = (data[p + 2]! << 8) | data[p + 3]!; p += 4; }
    } else if (link === 0) {
      p = 4; const af = data[0]!; etherType = af === 2 ? 0x0800 : 0x86dd;
    } else continue;
    let proto: number, src: string, dst: string, end: number;
    if (etherType === 0x0800) {
      proto = data[p + 9]!; src = ip4(data, p + 12); dst = ip4(data, p + 16);
      end = p + ((data[p + 2]! << 8) | data[p + 3]!); p += (data[p]! & 0x0f) * 4;
    } else if (etherType === 0x86dd) {
      proto = data[p + 6]!; src = ip6(data, p + 8); dst = ip6(data, p + 24);
      end = p + 40 + ((data[p + 4]! << 8) | data[p + 5]!); p += 40;
    } else continue;
    end = Math.min(end, data.length);
    const sport = (data[p]! << 8) | data[p + 1]!, dport = (data[p + 2]! << 8) | data[p + 3]!;
    if (proto === 6) {
      const seq = ((data[p + 4]! << 24) | (data[p + 5]! << 16) | (data[p + 6]! << 8) | data[p + 7]!) >>> 0;
      const flags = data[p + 13]!;
      out.push({ frame, proto: 6, src, dst, sport, dport, seq, flags, payload: data.subarray(p + (data[p + 12]! >> 4) * 4, end) });
    } else if (proto === 17) {
      out.push({ frame, proto: 17, src, dst, sport, dport, seq: 0, flags: 0, payload: data.subarray(p + 8, end) });
    }
  }
  return out;
}

/** the in-order payload chunks of one TCP direction (retransmitted bytes dropped), with frames */
export function tcpChunks(segs: TestSegment[], sport: number, dport: number): { frame: number; bytes: Uint8Array }[] {
  const out: { frame: number; bytes: Uint8Array }[] = [];
  let next = -1;
  for (const s of segs) {
    if (s.proto !== 6 || s.sport !== sport || s.dport !== dport) continue;
    if (next < 0) next = (s.seq + ((s.flags & 0x02) ? 1 : 0)) >>> 0;
    if (s.payload.length === 0) continue;
    const skip = (next - s.seq) | 0;                     // bytes of this segment already seen
    if (skip < 0 || skip >= s.payload.length) continue;
    out.push({ frame: s.frame, bytes: s.payload.subarray(skip) });
    next = (s.seq + s.payload.length) >>> 0;
  }
  return out;
}

export function concat(chunks: { bytes: Uint8Array }[]): Uint8Array {
  return Buffer.concat(chunks.map((c) => c.bytes));
}
