/** History letters (once per direction, case by role) and address text (inet_ntop's forms). */
import { describe, expect, it } from 'vitest';
import { History, HistoryEvent } from '../../../src/flow/history.js';
import { formatIp } from '../../../src/decode/addr.js';
import { Dir } from '../../../src/flow/dir.js';

describe('History', () => {
  it('writes each letter once per direction, upper case for the client', () => {
    const info = { history: '' };
    const h = new History(info);
    h.add(Dir.ToServer, HistoryEvent.Syn);
    h.add(Dir.ToServer, HistoryEvent.Syn);
    h.add(Dir.ToClient, HistoryEvent.SynAck);
    h.add(Dir.ToServer, HistoryEvent.Gap);
    h.add(Dir.ToClient, HistoryEvent.Gap);
    h.add(Dir.ToClient, HistoryEvent.Retransmit);
    h.add(Dir.ToServer, HistoryEvent.ZeroWindow);
    expect(info.history).toBe('ShGgtW');
  });

  it.each([
    ['SYN', 0x02, 0, 65535, 'S'],
    ['SYN+ACK', 0x12, 0, 65535, 'H'],
    ['pure ACK', 0x10, 0, 65535, 'A'],
    ['data', 0x18, 10, 65535, 'D'],
    ['FIN+ACK', 0x11, 0, 65535, 'F'],
    ['RST+ACK', 0x14, 0, 0, 'R'], // a RST's zero window is not a zero-window event
    ['SYN+FIN', 0x03, 0, 65535, 'QSF'],
    ['zero window ACK', 0x10, 0, 0, 'AW'],
  ])('%s → %s', (_name, flags, len, window, want) => {
    const info = { history: '' };
    new History(info).addTcpSegment(Dir.ToServer, flags, len, window);
    expect(info.history).toBe(want);
  });
});

describe('formatIp', () => {
  const v6 = (hex: string) => Uint8Array.from(Buffer.from(hex.replace(/ /g, ''), 'hex'));
  it.each([
    ['0000 0000 0000 0000 0000 0000 0000 0000', '::'],
    ['0000 0000 0000 0000 0000 0000 0000 0001', '::1'],
    ['2001 0db8 0000 0000 0000 0000 0000 0001', '2001:db8::1'],
    ['2001 0db8 0000 0001 0001 0001 0001 0001', '2001:db8:0:1:1:1:1:1'], // a single zero group is not ::
    ['2001 0000 0000 0001 0000 0000 0000 0001', '2001:0:0:1::1'], // the longest run
    ['0001 0000 0000 0002 0000 0000 0003 0004', '1::2:0:0:3:4'], // the first of equal runs
    ['fe80 0000 0000 0000 0000 0000 0000 0000', 'fe80::'],
    ['0000 0000 0000 0000 0000 ffff 0102 0304', '::ffff:1.2.3.4'],
    ['0000 0000 0000 0000 0000 0000 0102 0304', '::1.2.3.4'],
    // from suricata-verify__community-id-ipv6_input.pcap, as tcpflow named its files
    ['2600 1f13 00f8 d400 03a6 303c e011 18eb', '2600:1f13:f8:d400:3a6:303c:e011:18eb'],
    ['2607 f8b0 400a 0800 0000 0000 0000 200e', '2607:f8b0:400a:800::200e'],
  ])('%s → %s', (hex, want) => {
    const b = new Uint8Array(20);
    b.set(v6(hex), 4); // at an offset, as in a packet
    expect(formatIp(b, 4, 6)).toBe(want);
  });

  it('IPv4 dotted quad', () => {
    expect(formatIp(Uint8Array.of(0, 10, 0, 255, 1), 1, 4)).toBe('10.0.255.1');
  });
});
