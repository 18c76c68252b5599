import { describe, expect, it } from 'vitest';
import { layerNames, TCP_ACK, TCP_PSH } from '../../../src/decode/packet.js';
import * as synth from '../../../test-support/synth/packets.js';
import { hex, setup } from './helpers.js';

const ends = { src: '192.0.2.1', dst: '198.51.100.2' };
const ip = (proto: number, seg: Uint8Array, totalLength?: number) => synth.ipv4({ ...ends, proto, totalLength }, seg);
const seg = (options?: Uint8Array, payload = hex('68656c6c6f')) =>
  synth.tcp({ sport: 40000, dport: 443, seq: 0xfffffff0, ack: 7, flags: TCP_ACK | TCP_PSH, window: 501, options }, payload, ends);

describe('TCP', () => {
  it('decodes ports, numbers, flags, window and payload', () => {
    const { decoder, log } = setup();
    const p = decoder.decode(ip(6, seg(hex('020405b4 0103 0307 0101 080a 00000001 00000002'))), 228, 0);
    expect(layerNames(p)).toEqual(['ipv4', 'tcp']);
    expect([p.srcPort, p.dstPort, p.tcpSeq, p.tcpAck, p.tcpFlags, p.tcpWindow]).toEqual([40000, 443, 0xfffffff0, 7, TCP_ACK | TCP_PSH, 501]);
    expect([p.transportOff, p.payloadOff, p.payloadEnd]).toEqual([20, 60, 65]);
    expect(log.total).toBe(0);
  });

  it.each([
    ['option length 0', hex('0800'), 'tcp_option_length_lt_2', 'kind 8 length 0'],
    ['option length 1', hex('0301'), 'tcp_option_length_lt_2', 'kind 3 length 1'],
    ['option longer than the header', hex('01 08 0a 0000'), 'tcp_option_beyond_header', 'kind 8'],
    ['kind without a length byte at the end', hex('010101 02'), 'tcp_option_beyond_header', 'kind 2'],
  ])('%s: reported, ports and payload kept', (_name, options, code, detail) => {
    const { decoder, log } = setup();
    const p = decoder.decode(ip(6, seg(options)), 228, 0);
    expect([p.transportOk, p.dstPort, p.payloadEnd - p.payloadOff]).toEqual([true, 443, 5]);
    expect(log.kept.map((a) => [a.code, a.detail])).toEqual([[code, detail]]);
  });

  it('does not loop on zero-length TCP options', () => {
    const { decoder, log } = setup();
    decoder.decode(ip(6, seg(new Uint8Array(40).fill(0).map((_, i) => (i % 2 === 0 ? 5 : 0)))), 228, 0);
    expect(log.kept.map((a) => a.code)).toEqual(['tcp_option_length_lt_2']);
  });

  it('EOL ends the option list (bytes after it are padding)', () => {
    const { decoder, log } = setup();
    decoder.decode(ip(6, seg(hex('00 ff ff ff'))), 228, 0);
    expect(log.total).toBe(0);
  });

  it('data offset < 5 is damage', () => {
    const { decoder, log } = setup();
    const p = decoder.decode(ip(6, synth.tcp({ sport: 1, dport: 2, seq: 0, flags: 0, dataOffset: 4 }, new Uint8Array(8), ends)), 228, 0);
    expect(p.transportOk).toBe(false);
    expect(log.kept.map((a) => [a.code, a.detail])).toEqual([['tcp_data_offset_lt_5', '4']]);
  });

  it('data offset past the IP payload is damage; past the captured bytes is truncation', () => {
    const { decoder, log } = setup();
    const bad = synth.tcp({ sport: 1, dport: 2, seq: 0, flags: 0, dataOffset: 15 }, new Uint8Array(4), ends);
    expect(decoder.decode(ip(6, bad), 228, 0).transportOk).toBe(false);
    expect(log.kept.map((a) => a.code)).toEqual(['tcp_header_beyond_segment']);

    const full = ip(6, seg(hex('020405b4 01010402')));
    const p = decoder.decode(full.subarray(0, 20 + 24), 228, 0); // options cut after 4 bytes
    expect([p.transportOk, p.truncated, p.srcPort, p.payloadOff, p.payloadEnd]).toEqual([true, true, 40000, 44, 44]);
    expect(log.total).toBe(1);
  });

  it('a header shorter than 20 bytes: damage when the IP payload is short, truncation when the capture is', () => {
    const { decoder, log } = setup();
    const p = decoder.decode(ip(6, new Uint8Array(12)), 228, 0);
    expect([p.transportOk, p.truncated]).toEqual([false, false]);
    expect(log.kept.map((a) => a.code)).toEqual(['tcp_header_beyond_segment']);
    const q = decoder.decode(ip(6, seg()).subarray(0, 30), 228, 0);
    expect([q.transportOk, q.truncated, log.total]).toEqual([false, true, 1]);
  });
});

describe('UDP', () => {
  const dgram = (length?: number) => synth.udp({ sport: 5353, dport: 53, length }, hex('0102030405060708'), ends);

  it('bounds the payload by the UDP length', () => {
    const { decoder, log } = setup();
    const p = decoder.decode(ip(17, dgram(12)), 228, 0); // 4 of the 8 payload bytes belong to UDP
    expect([p.transportOk, p.payloadOff, p.payloadEnd, p.truncated]).toEqual([true, 28, 32, false]);
    expect(log.total).toBe(0);
  });

  it('length < 8 is damage', () => {
    const { decoder, log } = setup();
    const p = decoder.decode(ip(17, dgram(7)), 228, 0);
    expect(p.transportOk).toBe(false);
    expect(log.kept.map((a) => [a.code, a.detail])).toEqual([['udp_length_lt_8', '7']]);
  });

  it('length beyond the IP payload is damage (payload kept up to the IP end)', () => {
    const { decoder, log } = setup();
    const p = decoder.decode(ip(17, dgram(100)), 228, 0);
    expect([p.transportOk, p.payloadEnd - p.payloadOff]).toEqual([true, 8]);
    expect(log.kept.map((a) => a.code)).toEqual(['udp_length_beyond_ip']);
  });

  it('length beyond the captured bytes is truncation', () => {
    const { decoder, log } = setup();
    const p = decoder.decode(ip(17, dgram()).subarray(0, 31), 228, 0);
    expect([p.transportOk, p.truncated, p.payloadEnd]).toEqual([true, true, 31]);
    expect(log.total).toBe(0);
  });

  it('an IP payload shorter than the UDP header is damage', () => {
    const { decoder, log } = setup();
    const p = decoder.decode(ip(17, new Uint8Array(6)), 228, 0);
    expect(p.transportOk).toBe(false);
    expect(log.kept.map((a) => a.code)).toEqual(['udp_header_beyond_ip']);
  });
});
