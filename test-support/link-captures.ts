/**
 * Captures of other link types made from an Ethernet capture: every IPv4/IPv6 packet of the
 * source is wrapped the way a phone, a Wi-Fi monitor or a Linux logging rule records it, so
 * that the same traffic can be analysed over each link type and compared with tshark.
 *
 * - 105 IEEE 802.11 data frames (QoS data to the AP, LLC/SNAP), no radio header
 * - 127 radiotap (TSFT, Flags with "FCS at end" and a real CRC-32 FCS, channel) + 802.11
 * - 127 radiotap with the data-pad flag: a 4-address (WDS) QoS data header padded to 32 bits
 * - 192 PPI (one 802.11-common field) + 802.11
 * - 239 Linux NFLOG: prefix and hardware-header TLVs, then the payload TLV (type 9)
 * - 9 PPP (FF 03, protocol), 50 PPP in HDLC-like framing
 * Optionally every Nth 802.11 frame is followed by a protected (encrypted) data frame, which
 * no tool can look into, and non-IP frames are dropped (as they have no IP to wrap).
 *
 * Usage: node dist/test-support/link-captures.js SOURCE.pcap OUTDIR
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CaptureParser } from '../src/capture/parser.js';
import { PcapWriter } from '../src/capture/writer.js';

export const WRAPPINGS = ['wlan', 'radiotap', 'radiotap-pad', 'ppi', 'nflog', 'ppp', 'ppp-hdlc'] as const;
export type Wrapping = (typeof WRAPPINGS)[number];

export const LINK_TYPE_OF: Record<Wrapping, number> = {
  wlan: 105,
  radiotap: 127,
  'radiotap-pad': 127,
  ppi: 192,
  nflog: 239,
  ppp: 9,
  'ppp-hdlc': 50,
};

interface IpPacket {
  tsSec: number;
  tsNsec: number;
  version: 4 | 6;
  ip: Uint8Array;
}

/** The IP packets of an Ethernet capture (frames of other ethertypes are left out). */
export function ipPackets(ethernetCapture: Uint8Array): IpPacket[] {
  const out: IpPacket[] = [];
  const parser = new CaptureParser('source', (f) => {
    const d = f.data;
    if (f.linkType !== 1 || d.length < 15) return;
    const type = (d[12] << 8) | d[13];
    if (type !== 0x0800 && type !== 0x86dd) return;
    out.push({ tsSec: f.tsSec, tsNsec: f.tsNsec, version: type === 0x0800 ? 4 : 6, ip: Uint8Array.prototype.slice.call(d, 14) });
  });
  parser.push(ethernetCapture);
  parser.end();
  return out;
}

const STATION = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
const ACCESS_POINT = [0x02, 0x00, 0x00, 0x00, 0x00, 0xaa];
const GATEWAY = [0x02, 0x00, 0x00, 0x00, 0x00, 0xfe];
const BRIDGE = [0x02, 0x00, 0x00, 0x00, 0x00, 0xbb];

/** An 802.11 QoS data frame carrying `ip` behind LLC/SNAP; `wds`: four addresses; `pad`: header padded to 32 bits. */
function wlanFrame(p: IpPacket, seq: number, opts: { wds?: boolean; pad?: boolean; protectedBody?: boolean } = {}): Uint8Array {
  const header: number[] = [
    0x88, // QoS data (type 2, subtype 8)
    (opts.wds ? 0x03 : 0x01) | (opts.protectedBody ? 0x40 : 0), // to DS (and from DS), protected
    0x2c,
    0x00, // duration
    ...ACCESS_POINT,
    ...STATION,
    ...GATEWAY,
    (seq << 4) & 0xff,
    (seq >> 4) & 0xff, // sequence number, fragment 0
  ];
  if (opts.wds) header.push(...BRIDGE);
  header.push(0x00, 0x00); // QoS control
  if (opts.pad) while (header.length % 4 !== 0) header.push(0);
  if (opts.protectedBody) {
    // CCMP header and a body that is noise to anyone without the key
    const body = Array.from({ length: 64 }, (_, i) => (i * 37 + seq) & 0xff);
    return Uint8Array.from([...header, 0x01, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, ...body]);
  }
  const snap = [0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, ...(p.version === 4 ? [0x08, 0x00] : [0x86, 0xdd])];
  return concat(Uint8Array.from([...header, ...snap]), p.ip);
}

/** Radiotap: TSFT, Flags (FCS at end, data pad when asked), Channel; then the frame and its FCS. */
function radiotap(frame: Uint8Array, tsSec: number, pad: boolean): Uint8Array {
  const h = new Uint8Array(8 + 8 + 1 + 1 + 4); // present word, TSFT (8-aligned at 8), flags, rate, channel (2-aligned)
  const v = new DataView(h.buffer);
  v.setUint16(2, h.length, true);
  v.setUint32(4, (1 << 0) | (1 << 1) | (1 << 2) | (1 << 3), true);
  v.setBigUint64(8, BigInt(tsSec) * 1_000_000n, true);
  h[16] = 0x10 | (pad ? 0x20 : 0); // FCS at end, data pad
  h[17] = 0x6c; // 54 Mb/s
  v.setUint16(18, 2437, true); // channel 6
  v.setUint16(20, 0x00c0, true);
  const fcs = new Uint8Array(4);
  new DataView(fcs.buffer).setUint32(0, crc32(frame), true);
  return concat(h, frame, fcs);
}

/** PPI: the header naming 802.11 inside, with one 802.11-common field (type 2, 20 bytes). */
function ppi(frame: Uint8Array): Uint8Array {
  const h = new Uint8Array(8 + 4 + 20);
  const v = new DataView(h.buffer);
  v.setUint16(2, h.length, true);
  v.setUint32(4, 105, true);
  v.setUint16(8, 2, true); // field type 802.11-common
  v.setUint16(10, 20, true);
  v.setUint16(8 + 4 + 10, 2437, true); // channel frequency
  return concat(h, frame);
}

/** NFLOG: header, NFULA_PACKET_HDR (1), NFULA_PREFIX (10), then NFULA_PAYLOAD (9); TLVs little-endian, padded to 4. */
function nflog(p: IpPacket): Uint8Array {
  const tlv = (type: number, value: Uint8Array): Uint8Array => {
    const len = 4 + value.length;
    const t = new Uint8Array((len + 3) & ~3);
    const v = new DataView(t.buffer);
    v.setUint16(0, len, true);
    v.setUint16(2, type, true);
    t.set(value, 4);
    return t;
  };
  const header = Uint8Array.from([p.version === 4 ? 2 : 10, 0, 0, 5]);
  const packetHdr = Uint8Array.from([p.version === 4 ? 0x08 : 0x86, p.version === 4 ? 0x00 : 0xdd, 3, 0]);
  const prefix = new TextEncoder().encode('leakscope\0');
  return concat(header, tlv(1, packetHdr), tlv(10, prefix), tlv(9, p.ip));
}

function ppp(p: IpPacket, hdlc: boolean): Uint8Array {
  const protocol = p.version === 4 ? [0x00, 0x21] : [0x00, 0x57];
  return concat(Uint8Array.from(hdlc ? [0xff, 0x03, ...protocol] : protocol), p.ip);
}

/**
 * The capture (classic pcap) of `packets` over `wrapping`; with `protectedEvery` n > 0, a
 * protected frame follows every nth 802.11 frame. Returns the bytes and how many protected
 * frames were added.
 */
export function wrapCapture(packets: IpPacket[], wrapping: Wrapping, protectedEvery = 0): { bytes: Buffer; protectedFrames: number } {
  const w = new PcapWriter({ linkType: LINK_TYPE_OF[wrapping] });
  const parts: Uint8Array[] = [w.header()];
  let protectedFrames = 0;
  packets.forEach((p, i) => {
    const seq = i & 0xfff;
    const wlan = wrapping === 'wlan' || wrapping === 'radiotap' || wrapping === 'radiotap-pad' || wrapping === 'ppi';
    const data = (frame: Uint8Array): Uint8Array =>
      wrapping === 'radiotap'
        ? radiotap(frame, p.tsSec, false)
        : wrapping === 'radiotap-pad'
          ? radiotap(frame, p.tsSec, true)
          : wrapping === 'ppi'
            ? ppi(frame)
            : frame;
    const frame = wlan
      ? data(wlanFrame(p, seq, { wds: wrapping === 'radiotap-pad', pad: wrapping === 'radiotap-pad' }))
      : wrapping === 'nflog'
        ? nflog(p)
        : ppp(p, wrapping === 'ppp-hdlc');
    parts.push(w.packet({ tsSec: p.tsSec, tsNsec: p.tsNsec, data: frame }));
    if (wlan && protectedEvery > 0 && i % protectedEvery === 0) {
      const sealed = data(wlanFrame(p, seq, { wds: wrapping === 'radiotap-pad', pad: wrapping === 'radiotap-pad', protectedBody: true }));
      parts.push(w.packet({ tsSec: p.tsSec, tsNsec: p.tsNsec, data: sealed }));
      protectedFrames++;
    }
  });
  return { bytes: Buffer.concat(parts), protectedFrames };
}

/** A capture of a link type leakscope does not decode (LINKTYPE_USER0, 147): the same IP packets, opaque. */
export function unsupportedCapture(packets: IpPacket[]): Buffer {
  const w = new PcapWriter({ linkType: 147 });
  return Buffer.concat([w.header(), ...packets.map((p) => w.packet({ tsSec: p.tsSec, tsNsec: p.tsNsec, data: concat(Uint8Array.from([0xde, 0xad]), p.ip) }))]);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3), the 802.11 FCS. */
function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const [source, outDir] = process.argv.slice(2);
  if (!source || !outDir) {
    process.stderr.write('usage: link-captures SOURCE.pcap OUTDIR\n');
    process.exit(2);
  }
  mkdirSync(outDir, { recursive: true });
  const packets = ipPackets(readFileSync(source));
  for (const wrapping of WRAPPINGS) writeFileSync(path.join(outDir, `${wrapping}.pcap`), wrapCapture(packets, wrapping, 5).bytes);
  writeFileSync(path.join(outDir, 'user0.pcap'), unsupportedCapture(packets));
}
