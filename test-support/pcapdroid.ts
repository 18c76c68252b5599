/**
 * Test-only writer of PCAPdroid's per-packet trailer (the app that sent each packet), laid out
 * as PCAPdroid's pcap dump writes it (app/src/main/jni/core/pcap_dump.c `dump_packet_pcap`,
 * pcap_dump.h `pcapdroid_trailer_t`): a bogus Ethernet header with both MAC addresses zero and
 * the IP packet's ethertype, the IP packet, zero padding to a multiple of 4 bytes, then
 * magic 0x01072021, uid (int32), the app name (20 bytes, NUL-padded, at most 19 used) and the
 * CRC-32 of everything before it; all big-endian.
 */
import type { FrameSink } from '../test-support/synth/session.js';

export interface PcapdroidApp {
  uid: number;
  /** the name PCAPdroid writes (the app's label; cut to 19 bytes like PCAPdroid's strncpy) */
  name: string;
}

const MAGIC = 0x01072021;
const TRAILER_LEN = 32;
const ETH_LEN = 14;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** zlib's crc32 (PCAPdroid's `crc32(buf, len, 0)`) */
export function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** PCAPdroid's frame for one IP packet sent or received by `app`. */
export function pcapdroidFrame(ip: Uint8Array, app: PcapdroidApp): Uint8Array {
  const pad = (4 - ((ETH_LEN + ip.length) & 3)) & 3;
  const out = new Uint8Array(ETH_LEN + ip.length + pad + TRAILER_LEN);
  const v = new DataView(out.buffer);
  v.setUint16(12, ip[0]! >> 4 === 4 ? 0x0800 : 0x86dd);
  out.set(ip, ETH_LEN);
  const t = ETH_LEN + ip.length + pad;
  v.setUint32(t, MAGIC);
  v.setInt32(t + 4, app.uid);
  const name = new TextEncoder().encode(app.name).subarray(0, 19);
  out.set(name, t + 8);
  v.setUint32(t + 28, crc32(out.subarray(0, t + 28)));
  return out;
}

/**
 * A FrameSink that rewrites the Ethernet frames of TrafficBuilder into PCAPdroid's framing,
 * naming each packet's app by the phone-side port of its TCP or UDP header (`apps`); packets
 * of ports not listed get no trailer (PCAPdroid skips it when the snaplen is too small).
 */
export class PcapdroidSink implements FrameSink {
  constructor(
    private readonly inner: FrameSink,
    private readonly phoneIp: string,
    private readonly apps: Map<number, PcapdroidApp>,
  ) {}

  write(tsSec: number, tsNsec: number, frame: Uint8Array): void {
    const ip = frame.subarray(ETH_LEN);
    const app = this.apps.get(phonePort(ip, this.phoneIp));
    if (!app) {
      this.inner.write(tsSec, tsNsec, frame);
      return;
    }
    this.inner.write(tsSec, tsNsec, pcapdroidFrame(ip, app));
  }
}

/** The phone's port in an IPv4/IPv6 TCP or UDP packet (the source port when the phone sent it). */
function phonePort(ip: Uint8Array, phoneIp: string): number {
  const v4 = ip[0]! >> 4 === 4;
  const hdr = v4 ? (ip[0]! & 0x0f) * 4 : 40;
  const src = v4 ? [...ip.subarray(12, 16)].join('.') : '';
  const sport = (ip[hdr]! << 8) | ip[hdr + 1]!;
  const dport = (ip[hdr + 2]! << 8) | ip[hdr + 3]!;
  return src === phoneIp ? sport : dport;
}

export interface PcapdroidPcapngApp extends PcapdroidApp {
  /** the package name PCAPdroid's UID map block carries */
  packageName: string;
}

const LE = true;
const enc = new TextEncoder();

/** pcapng custom block (0x00000bad, PEN 62652) mapping a uid to its package and app name (pcap_dump.c `dump_pcapng_uid_mapping`). */
export function pcapdroidUidMapBlock(app: PcapdroidPcapngApp): Uint8Array {
  const pkg = enc.encode(app.packageName);
  const name = enc.encode(app.name);
  const body = 16 + 4 + 2 + pkg.length + name.length; // header (type, length, PEN, version, type, pad), uid, name lengths, names
  const len = (body + 4 + 3) & ~3;
  const out = new Uint8Array(len);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0x00000bad, LE);
  v.setUint32(4, len, LE);
  v.setUint32(8, 62652, LE);
  v.setUint16(12, 1, LE); // version
  out[14] = 1; // PCAPDROID_BLOCK_UID_MAP
  v.setInt32(16, app.uid, LE);
  out[20] = pkg.length;
  out[21] = name.length;
  out.set(pkg, 22);
  out.set(name, 22 + pkg.length);
  v.setUint32(len - 4, len, LE);
  return out;
}

/** An enhanced packet block with PCAPdroid's `u-<uid>` comment (pcap_dump.c `dump_packet_pcapng`, VPN mode: no flags option). */
export function pcapdroidEpb(ip: Uint8Array, tsSec: number, tsNsec: number, uid: number | null): Uint8Array {
  const comment = uid === null ? null : enc.encode(`u-${uid}`);
  const dataLen = (ip.length + 3) & ~3;
  const optLen = comment ? 4 + ((comment.length + 3) & ~3) + 4 : 0;
  const len = 32 + dataLen + optLen;
  const out = new Uint8Array(len);
  const v = new DataView(out.buffer);
  const usec = BigInt(tsSec) * 1_000_000n + BigInt(Math.floor(tsNsec / 1000));
  v.setUint32(0, 6, LE);
  v.setUint32(4, len, LE);
  v.setUint32(8, 0, LE);
  v.setUint32(12, Number(usec >> 32n), LE);
  v.setUint32(16, Number(usec & 0xffffffffn), LE);
  v.setUint32(20, ip.length, LE);
  v.setUint32(24, ip.length, LE);
  out.set(ip, 28);
  if (comment) {
    const o = 28 + dataLen;
    v.setUint16(o, 1, LE);
    v.setUint16(o + 2, comment.length, LE);
    out.set(comment, o + 4);
    // opt_endofopt is the zeroed 4 bytes after
  }
  v.setUint32(len - 4, len, LE);
  return out;
}

/**
 * Collects TrafficBuilder's frames as PCAPdroid's pcapng dump: section header, one raw-IP
 * interface, a UID map block before each app's first packet, and EPBs with `u-<uid>` comments.
 */
export class PcapdroidPcapngSink implements FrameSink {
  readonly chunks: Uint8Array[] = [];
  private readonly mapped = new Set<number>();

  constructor(
    private readonly phoneIp: string,
    private readonly apps: Map<number, PcapdroidPcapngApp>,
  ) {
    const shb = new Uint8Array(28);
    const s = new DataView(shb.buffer);
    s.setUint32(0, 0x0a0d0d0a, LE);
    s.setUint32(4, 28, LE);
    s.setUint32(8, 0x1a2b3c4d, LE);
    s.setUint16(12, 1, LE);
    s.setUint16(14, 0, LE);
    s.setBigInt64(16, -1n, LE);
    s.setUint32(24, 28, LE);
    const idb = new Uint8Array(20);
    const i = new DataView(idb.buffer);
    i.setUint32(0, 1, LE);
    i.setUint32(4, 20, LE);
    i.setUint16(8, 101, LE);
    i.setUint32(12, 65535, LE);
    i.setUint32(16, 20, LE);
    this.chunks.push(shb, idb);
  }

  write(tsSec: number, tsNsec: number, frame: Uint8Array): void {
    const ip = frame.subarray(ETH_LEN);
    const app = this.apps.get(phonePort(ip, this.phoneIp));
    if (app && !this.mapped.has(app.uid)) {
      this.mapped.add(app.uid);
      this.chunks.push(pcapdroidUidMapBlock(app));
    }
    this.chunks.push(pcapdroidEpb(ip, tsSec, tsNsec, app ? app.uid : null));
  }
}
