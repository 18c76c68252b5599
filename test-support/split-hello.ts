/**
 * Test capture generator: TLS ClientHellos split the way DPI-evasion tools and some clients
 * split them. zapret and GoodbyeDPI send the first 1-4 bytes of the ClientHello in a TCP
 * segment of their own (less than a record header); other clients split the handshake message
 * over several TLS records. Each connection is to a different server name.
 */
import { TrafficBuilder, type FrameSink, type Message } from '../test-support/synth/session.js';
import { buildClientHelloRecord, buildServerHelloRecord } from '../test-support/synth/tls.js';

export interface SplitCase {
  name: string;
  /** bytes of the first TCP segment (the rest follows in later segments) */
  firstSegment: number;
  /** handshake bytes per TLS record (0: one record) */
  recordPayload: number;
}

export const SPLIT_CASES: SplitCase[] = [
  { name: 'split1.tracking.intl.miui.com', firstSegment: 1, recordPayload: 0 },
  { name: 'split2.tracking.intl.miui.com', firstSegment: 2, recordPayload: 0 },
  { name: 'split3.tracking.intl.miui.com', firstSegment: 3, recordPayload: 0 },
  { name: 'split4.tracking.intl.miui.com', firstSegment: 4, recordPayload: 0 },
  { name: 'records.data.mistat.intl.xiaomi.com', firstSegment: 0, recordPayload: 100 },
  { name: 'both.sa.api.intl.miui.com', firstSegment: 2, recordPayload: 7 },
];

/** The handshake message of `record` re-framed into records of at most `size` bytes. */
export function reframe(record: Uint8Array, size: number): Uint8Array {
  const hs = record.subarray(5);
  const parts: number[] = [];
  for (let i = 0; i < hs.length; i += size) {
    const piece = hs.subarray(i, i + size);
    parts.push(22, record[1]!, record[2]!, piece.length >> 8, piece.length & 0xff, ...piece);
  }
  return Uint8Array.from(parts);
}

export function generateSplitHellos(sink: FrameSink, startSec = 1_795_600_000): void {
  const t = new TrafficBuilder(sink, startSec);
  SPLIT_CASES.forEach((c, i) => {
    const record = buildClientHelloRecord({ serverName: c.name, alpn: ['h2', 'http/1.1'], tls13: true, seed: i + 1 });
    const hello = c.recordPayload > 0 ? reframe(record, c.recordPayload) : record;
    const client: Message[] =
      c.firstSegment > 0
        ? [
            { from: 'client', data: hello.subarray(0, c.firstSegment) },
            { from: 'client', data: hello.subarray(c.firstSegment) },
          ]
        : [{ from: 'client', data: hello }];
    t.tcpConnection({ ip: '192.168.1.23', port: 41_000 + i }, { ip: `203.0.113.${50 + i}`, port: 443 }, [
      ...client,
      { from: 'server', data: buildServerHelloRecord('1.3', i + 2) },
    ]);
  });
}
