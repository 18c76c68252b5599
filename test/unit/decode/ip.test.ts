import { describe, expect, it } from 'vitest';
import { formatIp } from '../../../src/decode/addr.js';
import { layerNames, TCP_SYN } from '../../../src/decode/packet.js';
import * as synth from '../../../test-support/synth/packets.js';
import { corpus, hex, readClassicPcap, setup } from './helpers.js';

const A = '192.0.2.1',
  B = '198.51.100.2';
const A6 = '2001:db8::1',
  B6 = '2001:db8::2';
const udp4 = (payload = new Uint8Array(4)) => synth.udp({ sport: 1000, dport: 53 }, payload, { src: A, dst: B });
const udp6 = (payload = new Uint8Array(4)) => synth.udp({ sport: 1000, dport: 53 }, payload, { src: A6, dst: B6 });
const codes = (log: { kept: { code: string }[] }) => log.kept.map((a) => a.code);

describe('IPv4', () => {
  it('skips options, honours the total length and ignores Ethernet padding', () => {
    const ip = synth.ipv4({ src: A, dst: B, proto: 17, ttl: 9, options: hex('94040000') /* router alert */ }, udp4());
    const frame = new Uint8Array(14 + ip.length + 10); // 10 bytes of trailer after the datagram
    frame.set(synth.ethernet({ type: 0x0800 }, ip));
    const { decoder, log } = setup();
    const p = decoder.decode(frame, 1, 0);
    expect(layerNames(p)).toEqual(['ethernet', 'ipv4', 'udp']);
    expect([p.ipOff, p.srcAddrOff, p.ipTtl, p.transportOff, p.payloadOff, p.payloadEnd]).toEqual([14, 26, 9, 38, 46, 50]);
    expect(p.truncated).toBe(false);
    expect(log.total).toBe(0);
  });

  it.each([
    ['IHL < 5', { ihl: 4 }, 'ipv4_header_length_lt_20', '16'],
    ['total length < header', { totalLength: 19 }, 'ipv4_total_length_lt_header', '19 < 20'],
  ])('%s is reported and stops decoding', (_name, override, code, detail) => {
    const { decoder, log } = setup();
    const p = decoder.decode(synth.ipv4({ src: A, dst: B, proto: 17, ...override }, udp4()), 228, 0);
    expect(p.ipVersion).toBe(0);
    expect(p.transportOk).toBe(false);
    expect(log.kept.map((a) => [a.code, a.detail])).toEqual([[code, detail]]);
  });

  it('reports a non-4 version under an IPv4 ethertype', () => {
    const { decoder, log } = setup();
    const ip = synth.ipv6({ src: A6, dst: B6, nextHeader: 59 }, new Uint8Array(0));
    decoder.decode(synth.ethernet({ type: 0x0800 }, ip), 1, 0);
    expect(codes(log)).toEqual(['ipv4_bad_version']);
  });

  it('options cut by the snaplen are truncation, not damage', () => {
    const { decoder, log } = setup();
    const ip = synth.ipv4({ src: A, dst: B, proto: 17, options: new Uint8Array(8) }, udp4());
    const p = decoder.decode(ip.subarray(0, 24), 228, 0);
    expect([p.truncated, p.ipVersion, log.total]).toEqual([true, 0, 0]);
  });

  it('total length 0 (BIG TCP, tcpdump__bigtcp-ipv4.pcap): the captured length is used', () => {
    const [frame] = readClassicPcap(corpus('tcpdump__bigtcp-ipv4.pcap'));
    const { decoder, log } = setup();
    const p = decoder.decode(frame.data, frame.linkType, frame.tsSec);
    expect(layerNames(p)).toEqual(['ethernet', 'ipv4', 'tcp']);
    expect(p.payloadEnd).toBe(frame.data.length);
    expect(p.payloadEnd - p.payloadOff).toBeGreaterThan(65535);
    expect(p.truncated).toBe(false);
    expect(codes(log)).toEqual(['ipv4_total_length_zero']);
  });
});

describe('IPv6 extension headers', () => {
  it('walks hop-by-hop, destination options, routing and AH to the transport', () => {
    const ip = synth.ipv6(
      {
        src: A6,
        dst: B6,
        nextHeader: 17,
        extensions: [
          { type: 0, data: new Uint8Array(6) },
          { type: 43, data: new Uint8Array(22) },
          { type: 51, data: new Uint8Array(10) },
          { type: 60, data: new Uint8Array(6) },
        ],
      },
      udp6(),
    );
    const { decoder, log } = setup();
    const p = decoder.decode(ip, 229, 0);
    expect(layerNames(p)).toEqual(['ipv6', 'ipv6ext', 'ipv6ext', 'ipv6ext', 'ipv6ext', 'udp']);
    expect([p.ipProto, p.transportOff, p.srcPort, p.dstPort]).toEqual([17, 40 + 8 + 24 + 12 + 8, 1000, 53]);
    expect(log.total).toBe(0);
  });

  it('reads an atomic fragment (offset 0, M = 0) in place', () => {
    const ip = synth.ipv6({ src: A6, dst: B6, nextHeader: 17, extensions: [{ type: 44, fragOffset: 0, more: false, id: 7 }] }, udp6());
    const { decoder, log } = setup();
    const p = decoder.decode(ip, 229, 0);
    expect(layerNames(p)).toEqual(['ipv6', 'ipv6ext', 'udp']);
    expect([p.transportOk, p.reassembled, p.fragment, decoder.counts.fragments]).toEqual([true, false, false, 0]);
    expect(log.total).toBe(0);
  });

  it('reports hop-by-hop that is not first, but goes on', () => {
    const ip = synth.ipv6({ src: A6, dst: B6, nextHeader: 17, extensions: [{ type: 60 }, { type: 0 }] }, udp6());
    const { decoder, log } = setup();
    const p = decoder.decode(ip, 229, 0);
    expect(p.transportOk).toBe(true);
    expect(codes(log)).toEqual(['ipv6_hop_by_hop_not_first']);
  });

  it('stops a long chain of extension headers at maxIpv6ExtensionHeaders', () => {
    const extensions = Array.from({ length: 40 }, () => ({ type: 60 }));
    const ip = synth.ipv6({ src: A6, dst: B6, nextHeader: 17, extensions }, udp6());
    const { decoder, log } = setup({ maxIpv6ExtensionHeaders: 16 });
    const p = decoder.decode(ip, 229, 0);
    expect(p.transportOk).toBe(false);
    expect(log.kept.map((a) => [a.code, a.detail])).toEqual([['limit_reached', 'maxIpv6ExtensionHeaders']]);
  });

  it('an extension header longer than the payload length is damage; one cut by the snaplen is truncation', () => {
    const ip = synth.ipv6({ src: A6, dst: B6, nextHeader: 59, extensions: [{ type: 60, data: new Uint8Array(6) }] }, new Uint8Array(0));
    ip[40 + 1] = 3; // claims 32 bytes, 8 are there and the payload length says 8
    const { decoder, log } = setup();
    decoder.decode(ip, 229, 0);
    expect(codes(log)).toEqual(['ipv6_extension_beyond_payload']);

    const cut = synth.ipv6({ src: A6, dst: B6, nextHeader: 17, extensions: [{ type: 60, data: new Uint8Array(14) }] }, udp6());
    const p = decoder.decode(cut.subarray(0, 50), 229, 0);
    expect([p.truncated, p.transportOk, log.total]).toEqual([true, false, 1]);
  });

  it('payload length 0 with data (jumbogram/offload) uses the captured length', () => {
    const ip = synth.ipv6({ src: A6, dst: B6, nextHeader: 17, payloadLength: 0 }, udp6());
    const { decoder, log } = setup();
    const p = decoder.decode(ip, 229, 0);
    expect([p.transportOk, p.payloadEnd]).toEqual([true, ip.length]);
    expect(codes(log)).toEqual(['ipv6_payload_length_zero']);
  });
});

describe('tunnels: the packet describes the innermost IP and transport', () => {
  it('6in4 (IP protocol 41): nDPI__6in4tunnel.pcap frame 22', () => {
    // 0x0000:  0022 90de 3bd9 0000 24ce 8134 0800 4500  ."..;...$..4..E.
    // 0x0010:  0064 b898 4000 ff29 1438 ae03 4918 b869  .d..@..).8..I..i
    // 0x0020:  ff1a 6000 0000 0028 063f 2001 0470 1f17  ..`....(.? ..p..
    // 0x0030:  013f 3e97 0eff fe73 4dec 2a03 2880 1010  .?>....sM.*.(...
    // 0x0040:  6f03 face b00c 0000 0002 cff2 01bb 2775  o.............'u
    // 0x0050:  58ac 0000 0000 a002 7080 1f27 0000 0204  X.......p..'....
    // 0x0060:  05a0 0402 080a 2779 e3f2 0000 0000 0103  ......'y........
    // 0x0070:  0307                                     ..
    const frame = hex(
      '002290de3bd9000024ce8134080045000064b8984000ff291438ae034918b869ff1a600000000028063f200104701f17013f3e970efffe734dec2a03288010106f03faceb00c00000002cff201bb277558ac00000000a00270801f270000020405a00402080a2779e3f20000000001030307',
    );
    const { decoder, log } = setup();
    const p = decoder.decode(frame, 1, 0);
    expect(layerNames(p)).toEqual(['ethernet', 'ipv4', 'ipv6', 'tcp']);
    expect(p.ipVersion).toBe(6);
    expect(formatIp(p.buf, p.srcAddrOff, 6)).toBe('2001:470:1f17:13f:3e97:eff:fe73:4dec');
    expect(formatIp(p.buf, p.dstAddrOff, 6)).toBe('2a03:2880:1010:6f03:face:b00c:0:2');
    expect([p.srcPort, p.dstPort, p.tcpSeq, p.tcpFlags, p.tcpWindow, p.ipTtl]).toEqual([53234, 443, 662001836, TCP_SYN, 28800, 63]);
    expect([decoder.counts.ipv4, decoder.counts.ipv6, decoder.counts.tcp]).toEqual([0, 1, 1]);
    expect(log.total).toBe(0);
  });

  it('IP-in-IP (protocol 4)', () => {
    const inner = synth.ipv4(
      { src: '10.1.1.1', dst: '10.2.2.2', proto: 17 },
      synth.udp({ sport: 5, dport: 6 }, new Uint8Array(2), { src: '10.1.1.1', dst: '10.2.2.2' }),
    );
    const { decoder } = setup();
    const p = decoder.decode(synth.ipv4({ src: A, dst: B, proto: 4 }, inner), 228, 0);
    expect(layerNames(p)).toEqual(['ipv4', 'ipv4', 'udp']);
    expect(formatIp(p.buf, p.srcAddrOff, 4)).toBe('10.1.1.1');
    expect([p.srcPort, p.dstPort]).toEqual([5, 6]);
  });

  it('GRE with a key carrying IPv6, and GRE carrying Ethernet (0x6558)', () => {
    const inner6 = synth.ipv6({ src: A6, dst: B6, nextHeader: 17 }, udp6());
    const { decoder, log } = setup();
    let p = decoder.decode(synth.ipv4({ src: A, dst: B, proto: 47 }, synth.gre({ protocol: 0x86dd, key: 42 }, inner6)), 228, 0);
    expect(layerNames(p)).toEqual(['ipv4', 'gre', 'ipv6', 'udp']);
    expect(formatIp(p.buf, p.dstAddrOff, 6)).toBe(B6);

    const eth = synth.ethernet(
      { type: 0x0800 },
      synth.ipv4(
        { src: '10.1.1.1', dst: '10.2.2.2', proto: 6 },
        synth.tcp({ sport: 7, dport: 443, seq: 1, flags: TCP_SYN }, new Uint8Array(0), { src: '10.1.1.1', dst: '10.2.2.2' }),
      ),
    );
    p = decoder.decode(synth.ipv6({ src: A6, dst: B6, nextHeader: 47 }, synth.gre({ protocol: 0x6558 }, eth)), 229, 0);
    expect(layerNames(p)).toEqual(['ipv6', 'gre', 'ethernet', 'ipv4', 'tcp']);
    expect([p.ipVersion, p.dstPort]).toEqual([4, 443]);
    expect(log.total).toBe(0);
  });

  it('GTP-U on UDP 2152 carrying the user IP packet', () => {
    const user = synth.ipv4(
      { src: '100.64.0.9', dst: B, proto: 6 },
      synth.tcp({ sport: 40000, dport: 443, seq: 9, flags: TCP_SYN }, new Uint8Array(0), { src: '100.64.0.9', dst: B }),
    );
    const outer = synth.ipv4(
      { src: '10.0.0.1', dst: '10.0.0.2', proto: 17 },
      synth.udp({ sport: 2152, dport: 2152 }, synth.gtpu({ teid: 0x1234 }, user), { src: '10.0.0.1', dst: '10.0.0.2' }),
    );
    const { decoder, log } = setup();
    const p = decoder.decode(outer, 228, 0);
    expect(layerNames(p)).toEqual(['ipv4', 'udp', 'gtpu', 'ipv4', 'tcp']);
    expect(formatIp(p.buf, p.srcAddrOff, 4)).toBe('100.64.0.9');
    expect([p.ipProto, p.srcPort, p.dstPort]).toEqual([6, 40000, 443]);
    expect(log.total).toBe(0);

    // a GTP-U echo request (type 1) leaves UDP as the transport
    const echo = synth.gtpu({ teid: 0 }, new Uint8Array(0));
    echo[1] = 1;
    const q = decoder.decode(synth.ipv4({ src: A, dst: B, proto: 17 }, synth.udp({ sport: 2152, dport: 2152 }, echo, { src: A, dst: B })), 228, 0);
    expect(layerNames(q)).toEqual(['ipv4', 'udp']);
    expect([q.transportOk, q.dstPort]).toEqual([true, 2152]);
  });

  it('nested tunnels stop at maxEncapsulationDepth', () => {
    let pkt = synth.ipv4({ src: A, dst: B, proto: 17 }, udp4());
    for (let i = 0; i < 5; i++) pkt = synth.ipv4({ src: A, dst: B, proto: 4 }, pkt);
    const { decoder, log } = setup({ maxEncapsulationDepth: 3 });
    const p = decoder.decode(pkt, 228, 0);
    expect(p.transportOk).toBe(false);
    expect(layerNames(p)).toEqual(['ipv4', 'ipv4', 'ipv4', 'ipv4']);
    expect(log.kept.map((a) => [a.code, a.detail])).toEqual([['limit_reached', 'maxEncapsulationDepth']]);
  });
});

describe('a frame in the middle of the reader buffer (decode(buf, linkType, ts, start, end))', () => {
  /** the same frame decoded alone and at `at` inside a larger buffer with other bytes around it */
  function both(frame: Uint8Array, linkType: number, at = 1000) {
    const alone = setup();
    const a = alone.decoder.decode(frame, linkType, 0);
    const aView = {
      layers: layerNames(a),
      ip: a.ipOff,
      src: a.srcAddrOff,
      tr: a.transportOff,
      pay: a.payloadOff,
      end: a.payloadEnd,
      ok: a.transportOk,
      trunc: a.truncated,
    };
    const aLog = alone.log.kept.map((x) => [x.code, x.offset, x.detail]);
    const big = new Uint8Array(at + frame.length + 500).fill(0xee);
    big.set(frame, at);
    const inside = setup();
    const b = inside.decoder.decode(big, linkType, 0, at, at + frame.length);
    const base = b.reassembled ? 0 : at; // a joined datagram lives in its own buffer
    const rel = (x: number) => (x === 0 ? 0 : x - base); // 0: the layer was not reached
    const bView = {
      layers: layerNames(b),
      ip: rel(b.ipOff),
      src: rel(b.srcAddrOff),
      tr: rel(b.transportOff),
      pay: rel(b.payloadOff),
      end: rel(b.payloadEnd),
      ok: b.transportOk,
      trunc: b.truncated,
    };
    return { aView, bView, aLog, bLog: inside.log.kept.map((x) => [x.code, x.offset, x.detail]), frameEnd: b.frameEnd - base };
  }

  it('gives the same layers and offsets, shifted by the frame start, and never reads past the frame', () => {
    const ip = synth.ipv4({ src: A, dst: B, proto: 17 }, udp4(new Uint8Array(40)));
    const r = both(synth.ethernet({ type: 0x0800 }, ip), 1);
    expect(r.bView).toEqual(r.aView);
    expect(r.frameEnd).toBe(14 + ip.length);
  });

  it('a frame cut short by its end (not by the buffer) is truncated the same way', () => {
    const ip = synth.ipv4({ src: A, dst: B, proto: 17 }, udp4(new Uint8Array(40)));
    const r = both(synth.ethernet({ type: 0x0800 }, ip).subarray(0, 14 + 20 + 4), 1);
    expect(r.bView).toEqual(r.aView);
    expect(r.bLog).toEqual(r.aLog);
  });

  it('reports anomaly offsets from the frame start, not from the buffer', () => {
    const r = both(synth.ipv4({ src: A, dst: B, proto: 17, totalLength: 19 }, udp4()), 228);
    expect(r.aLog.length).toBe(1);
    expect(r.bLog).toEqual(r.aLog);
  });

  it('fragments held from the middle of one buffer join into a datagram of its own', () => {
    const frags = synth.ipv4Fragments({ src: A, dst: B, proto: 17, id: 7 }, udp4(new Uint8Array(100)), 48);
    const { decoder } = setup();
    const big = new Uint8Array(4096);
    let at = 17;
    let last;
    for (const f of frags) {
      big.set(f, at);
      last = decoder.decode(big, 228, 0, at, at + f.length);
      at += f.length + 3;
    }
    expect([last!.reassembled, last!.transportOk, last!.frameStart, last!.frameEnd]).toEqual([true, true, 0, 20 + 8 + 100]);
    expect(last!.payloadEnd - last!.payloadOff).toBe(100);
  });
});
