import { describe, expect, it } from 'vitest';
import { formatIp } from '../../../src/decode/addr.js';
import { layerNames, TCP_SYN } from '../../../src/decode/packet.js';
import * as synth from '../../../test-support/synth/packets.js';
import { hex, setup } from './helpers.js';

describe('link layers (real frames from ../shared/corpus)', () => {
  it('Linux cooked v2 (SLL2, linktype 276): filesamples__simple_http_sll2.pcap frame 1', () => {
    // 0x0000:  0800 0000 0000 0001 0304 0006 0000 0000  ................
    // 0x0010:  0000 0000 4500 003c 34ff 4000 4006 07bb  ....E..<4.@.@...
    // 0x0020:  7f00 0001 7f00 0001 92ee 1f40 0852 ae12  ...........@.R..
    // 0x0030:  0000 0000 a002 ffd7 fe30 0000 0204 ffd7  .........0......
    // 0x0040:  0402 080a 1e93 c7f7 0000 0000 0103 0307  ................
    const frame = hex(
      '08000000000000010304000600000000000000004500003c34ff4000400607bb7f0000017f00000192ee1f400852ae1200000000a002ffd7fe3000000204ffd70402080a1e93c7f70000000001030307',
    );
    const { decoder, log } = setup();
    const p = decoder.decode(frame, 276, 0);
    expect(layerNames(p)).toEqual(['sll2', 'ipv4', 'tcp']);
    expect(formatIp(p.buf, p.srcAddrOff, 4)).toBe('127.0.0.1');
    expect(formatIp(p.buf, p.dstAddrOff, 4)).toBe('127.0.0.1');
    expect([p.srcPort, p.dstPort, p.tcpSeq, p.tcpFlags, p.tcpWindow]).toEqual([37614, 8000, 139636242, TCP_SYN, 0xffd7]);
    expect([p.payloadOff, p.payloadEnd, p.truncated]).toEqual([80, 80, false]);
    expect(log.total).toBe(0);
  });

  it('Linux cooked v1 (SLL, linktype 113), cut after 64 bytes: nDPI__quickplay.pcap frame 1', () => {
    // 0x0000:  0004 0212 0000 0000 0000 0000 0000 0800  ................
    // 0x0010:  4500 0160 4301 4000 3f06 a821 0a36 a9fa  E..`C.@.?..!.6..
    // 0x0020:  781c 2329 c5ec 0050 41c3 88d7 fac7 0881  x.#)...PA.......
    // 0x0030:  5018 0073 6dab 0000 4745 5420 2f73 6f6c  P..sm...GET /sol
    const frame = hex('0004021200000000000000000000080045000160430140003f06a8210a36a9fa781c2329c5ec005041c388d7fac70881501800736dab0000474554202f736f6c');
    const { decoder, log } = setup();
    const p = decoder.decode(frame, 113, 0);
    expect(layerNames(p)).toEqual(['sll', 'ipv4', 'tcp']);
    expect(formatIp(p.buf, p.srcAddrOff, 4)).toBe('10.54.169.250');
    expect(formatIp(p.buf, p.dstAddrOff, 4)).toBe('120.28.35.41');
    expect([p.srcPort, p.dstPort, p.tcpSeq]).toEqual([50668, 80, 1103333591]);
    // IP total length 352, only 48 bytes of it captured: the snaplen cut, not damage
    expect(p.truncated).toBe(true);
    expect(p.transportOk).toBe(true);
    expect(Buffer.from(p.buf.subarray(p.payloadOff, p.payloadEnd)).toString()).toBe('GET /sol');
    expect(log.total).toBe(0);
  });

  it('raw IP (linktype 101): nDPI__codm.pcap frame 1', () => {
    // 0x0000:  4500 003c f620 4000 4006 aa76 0ad7 ad01  E..<. @.@..v....
    // 0x0010:  3133 b119 afe4 1f4d d2ef c28c 0000 0000  13.....M........
    // 0x0020:  a002 ffff 12e3 0000 0204 26e8 0402 080a  ..........&.....
    // 0x0030:  81b8 935b 0000 0000 0103 0309            ...[........
    const frame = hex('4500003cf62040004006aa760ad7ad013133b119afe41f4dd2efc28c00000000a002ffff12e30000020426e80402080a81b8935b0000000001030309');
    const { decoder } = setup();
    for (const linkType of [101, 12, 14, 228]) {
      const p = decoder.decode(frame, linkType, 0);
      expect(layerNames(p)).toEqual(linkType === 228 ? ['ipv4', 'tcp'] : ['raw', 'ipv4', 'tcp']);
      expect(formatIp(p.buf, p.dstAddrOff, 4)).toBe('49.51.177.25');
      expect([p.srcPort, p.dstPort, p.tcpSeq, p.ipTtl]).toEqual([45028, 8013, 3538928268, 64]);
    }
  });

  it('raw IPv6 (linktype 229): tcpdump__LINKTYPE_IPV6.pcap frame 1', () => {
    // 0x0000:  6000 0000 0025 1140 2001 0db8 0000 0000  `....%.@........
    // 0x0010:  0000 0000 0000 0001 2620 00fe 0000 0000  ........& ......
    // 0x0020:  0000 0000 0000 0009 3039 0035 0025 98b3  ........09.5.%..
    // 0x0030:  1234 0100 0001 0000 0000 0000 0765 7861  .4...........exa
    // 0x0040:  6d70 6c65 0363 6f6d 0000 0100 01         mple.com.....
    const frame = hex(
      '600000000025114020010db8000000000000000000000001262000fe00000000000000000000000930390035002598b3123401000001000000000000076578616d706c6503636f6d0000010001',
    );
    const { decoder, log } = setup();
    const p = decoder.decode(frame, 229, 0);
    expect(layerNames(p)).toEqual(['ipv6', 'udp']);
    expect(formatIp(p.buf, p.srcAddrOff, 6)).toBe('2001:db8::1');
    expect(formatIp(p.buf, p.dstAddrOff, 6)).toBe('2620:fe::9');
    expect([p.srcPort, p.dstPort, p.payloadOff, p.payloadEnd, p.ipTtl]).toEqual([12345, 53, 48, 77, 64]);
    expect(log.total).toBe(0);
  });

  it('three stacked 802.1Q tags (QinQinQ): zeek__vlan-qinqinq.pcap frame 1', () => {
    // 0x0000:  0010 db88 d2ef c8bc c896 d2a0 8100 001e  ................
    // 0x0010:  8100 0014 8100 000a 0800 4500 0040 df8e  ..........E..@..
    // 0x0020:  4000 4006 6dd3 8d8e e405 c096 bb2b e9d0  @.@.m........+..
    // 0x0030:  0050 fe21 323a 0000 0000 b002 ffff 3bc0  .P.!2:........;.
    // 0x0040:  0000 0204 05b4 0103 0304 0101 080a 164a  ...............J
    // 0x0050:  dd20 0000 0000 0402 0000                 . ........
    const frame = hex(
      '0010db88d2efc8bcc896d2a08100001e810000148100000a080045000040df8e400040066dd38d8ee405c096bb2be9d00050fe21323a00000000b002ffff3bc00000020405b4010303040101080a164add200000000004020000',
    );
    const { decoder, log } = setup();
    const p = decoder.decode(frame, 1, 0);
    expect(layerNames(p)).toEqual(['ethernet', 'vlan', 'vlan', 'vlan', 'ipv4', 'tcp']);
    expect(formatIp(p.buf, p.srcAddrOff, 4)).toBe('141.142.228.5');
    expect(formatIp(p.buf, p.dstAddrOff, 4)).toBe('192.150.187.43');
    expect([p.srcPort, p.dstPort, p.tcpSeq]).toEqual([59856, 80, 4263588410]);
    expect(log.total).toBe(0);
  });

  it('PPPoE session over QinQ: zeek__pppoe-over-qinq.pcap frame 1', () => {
    // 0x0000:  0000 0000 0001 0000 0000 0000 8100 0e78  ...............x
    // 0x0010:  8100 09aa 8864 1100 0f07 0042 0021 4500  .....d.....B.!E.
    // 0x0020:  0040 0000 4000 3f06 35b3 0101 0101 0202  .@..@.?.5.......
    // 0x0030:  0202 4faa 01bb d7a8 4155 0000 0000 b002  ..O.....AU......
    // 0x0040:  ffff eced 0000 0204 05a0 0103 0306 0101  ................
    // 0x0050:  080a 012d d88c 0000 0000 0402 0000       ...-..........
    const frame = hex(
      '00000000000100000000000081000e78810009aa886411000f070042002145000040000040003f0635b301010101020202024faa01bbd7a8415500000000b002ffffeced0000020405a0010303060101080a012dd88c0000000004020000',
    );
    const { decoder, log } = setup();
    const p = decoder.decode(frame, 1, 0);
    expect(layerNames(p)).toEqual(['ethernet', 'vlan', 'vlan', 'pppoe', 'ipv4', 'tcp']);
    expect(formatIp(p.buf, p.srcAddrOff, 4)).toBe('1.1.1.1');
    expect(formatIp(p.buf, p.dstAddrOff, 4)).toBe('2.2.2.2');
    expect([p.srcPort, p.dstPort, p.tcpSeq]).toEqual([20394, 443, 3618128213]);
    expect(log.total).toBe(0);
  });

  it('BSD null, little-endian family 2: gopacket__le_test202.pcapng frame 4', () => {
    // 0x0000:  0200 0000 4500 00a4 c6ce 0000 4011 f147  ....E.......@..G
    // 0x0010:  c0a8 018b ffff ffff 445c 445c 0090 ba03  ........D\D\....
    // 0x0020:  7b22 686f 7374 5f69 6e74 2230 ...         {"host_int": …
    const frame = hex(
      '02000000450000a4c6ce00004011f147c0a8018bffffffff445c445c0090ba037b22686f73745f696e74223a20343039343531343438332c202276657273696f6e223a205b312c20385d2c2022646973706c61796e616d65223a2022222c2022706f7274223a2031373530302c20226e616d65737061636573223a205b32303532343235372c203633393533393037322c203633393533393333372c203633393533393535355d7d',
    );
    const { decoder, log } = setup();
    const p = decoder.decode(frame, 0, 0);
    expect(layerNames(p)).toEqual(['null', 'ipv4', 'udp']);
    expect(formatIp(p.buf, p.srcAddrOff, 4)).toBe('192.168.1.139');
    expect(formatIp(p.buf, p.dstAddrOff, 4)).toBe('255.255.255.255');
    expect([p.srcPort, p.dstPort, p.payloadEnd - p.payloadOff]).toEqual([17500, 17500, 136]);
    expect(log.total).toBe(0);
  });

  it('BSD null, family 30 (Darwin AF_INET6), cut after 62 bytes: tcpdump__quic_handshake.pcap frame 1', () => {
    // 0x0000:  1e00 0000 600a 0f00 04b8 1140 0000 0000  ....`......@....
    // 0x0010:  0000 0000 0000 0000 0000 0001 0000 0000  ................
    // 0x0020:  0000 0000 0000 0000 0000 0001 c5ae 01bb  ................
    // 0x0030:  04b8 04cb ce00 0000 0108 84ac ac06 b42e  ................
    const frame = hex('1e000000600a0f0004b811400000000000000000000000000000000100000000000000000000000000000001c5ae01bb04b804cbce000000010884acac06b42e');
    const { decoder, log } = setup();
    const p = decoder.decode(frame, 0, 0);
    expect(layerNames(p)).toEqual(['null', 'ipv6', 'udp']);
    expect(formatIp(p.buf, p.srcAddrOff, 6)).toBe('::1');
    expect([p.srcPort, p.dstPort, p.payloadOff, p.payloadEnd, p.truncated]).toEqual([50606, 443, 52, 64, true]);
    expect(log.total).toBe(0);
  });

  it('BSD null in big-endian order and OpenBSD loop (108, network order)', () => {
    const ip = synth.ipv4(
      { src: '10.0.0.1', dst: '10.0.0.2', proto: 17 },
      synth.udp({ sport: 1, dport: 2 }, new Uint8Array(4), { src: '10.0.0.1', dst: '10.0.0.2' }),
    );
    const { decoder } = setup();
    const be = synth.nullLoopback(2, ip, false);
    expect(Array.from(be.subarray(0, 4))).toEqual([0, 0, 0, 2]);
    expect(layerNames(decoder.decode(be, 0, 0))).toEqual(['null', 'ipv4', 'udp']);
    expect(layerNames(decoder.decode(synth.loop(2, ip), 108, 0))).toEqual(['loop', 'ipv4', 'udp']);
    // AF_INET6 values of the BSDs and Linux; an unknown family is `other`
    const ip6 = synth.ipv6({ src: '::1', dst: '::1', nextHeader: 59 }, new Uint8Array(0));
    for (const family of [24, 28, 30, 10]) expect(layerNames(decoder.decode(synth.nullLoopback(family, ip6), 0, 0))).toEqual(['null', 'ipv6', 'other']);
    expect(layerNames(decoder.decode(synth.nullLoopback(7, ip), 0, 0))).toEqual(['null', 'other']);
    expect(decoder.counts.other).toBe(1);
  });

  it('802.3 length field with LLC (CDP) is `other`, not an anomaly: filesamples__teardrop.pcap frame 5 (first 60 bytes)', () => {
    // 0x0000:  0100 0ccc cccc 0050 547c eb3d 013f aaaa  .......PT|.=.?..
    // 0x0010:  0300 000c 2000 02b4 2927 0001 001c 6772  .... ...)'....gr
    const frame = hex('01000ccccccc0050547ceb3d013faaaa0300000c200002b429270001001c6772616d6972657a2d6973646e2e7469766f6c692e636f6d000200110000');
    const { decoder, log } = setup();
    const p = decoder.decode(frame, 1, 0);
    expect(layerNames(p)).toEqual(['ethernet', 'other']);
    expect(p.ipVersion).toBe(0);
    expect(decoder.counts.other).toBe(1);
    expect(log.total).toBe(0);
  });

  it('counts unknown link types per value and reports each type once', () => {
    const { decoder, log } = setup();
    decoder.decode(new Uint8Array(20), 147, 0);
    decoder.decode(new Uint8Array(20), 147, 0);
    decoder.decode(new Uint8Array(20), 0x40000000, 0); // nDPI__fuzz-2021-10-13.pcap's header
    expect([...decoder.counts.unknownLinkTypes]).toEqual([
      [147, 2],
      [0x40000000, 1],
    ]);
    expect(log.kept.map((a) => [a.code, a.detail])).toEqual([
      ['link_type_unsupported', '147'],
      ['link_type_unsupported', '1073741824'],
    ]);
  });

  it('a link header cut by the snaplen is truncated, not an anomaly (zeek__trunc-hdr.pcap keeps 8 of 78 bytes)', () => {
    const { decoder, log } = setup();
    for (const linkType of [1, 113, 276, 0, 108]) {
      const cut = hex('0010db88d2efc8bc').subarray(0, linkType === 0 || linkType === 108 ? 3 : 8);
      const p = decoder.decode(cut, linkType, 0);
      expect(p.truncated).toBe(true);
      expect(p.ipVersion).toBe(0);
    }
    expect(log.total).toBe(0);
  });

  it('raw IP whose version nibble is neither 4 nor 6 is reported', () => {
    const { decoder, log } = setup();
    const p = decoder.decode(hex('5500000000'), 101, 0);
    expect(layerNames(p)).toEqual(['raw', 'other']);
    expect(log.kept.map((a) => [a.code, a.detail])).toEqual([['raw_ip_bad_version', '5']]);
  });

  it('PPPoE control traffic and bad version/type', () => {
    const { decoder, log } = setup();
    const lcp = synth.ethernet({ type: 0x8864 }, synth.pppoe({ pppProtocol: 0xc021 }, new Uint8Array(8)));
    expect(layerNames(decoder.decode(lcp, 1, 0))).toEqual(['ethernet', 'pppoe', 'other']);
    expect(log.total).toBe(0);
    lcp[14] = 0x21;
    decoder.decode(lcp, 1, 0);
    expect(log.kept.map((a) => a.code)).toEqual(['pppoe_bad_version_type']);
  });

  it('stops stacking VLAN tags at maxEncapsulationDepth', () => {
    const { decoder, log } = setup({ maxEncapsulationDepth: 2 });
    let inner = synth.ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 59 }, new Uint8Array(0));
    inner = synth.vlan({ vid: 3, type: 0x0800 }, inner);
    inner = synth.vlan({ vid: 2, type: 0x8100 }, inner);
    inner = synth.vlan({ vid: 1, type: 0x8100 }, inner);
    const p = decoder.decode(synth.ethernet({ type: 0x88a8 }, inner), 1, 0);
    expect(layerNames(p)).toEqual(['ethernet', 'vlan', 'vlan']);
    expect(p.ipVersion).toBe(0);
    expect(log.kept.map((a) => [a.code, a.detail])).toEqual([['limit_reached', 'maxEncapsulationDepth']]);
  });
});
