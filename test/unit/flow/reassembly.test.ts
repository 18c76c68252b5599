/**
 * TCP reassembly through the flow table, gopacket testSequence style: each case is a list of
 * segments `[from, seq, payload, flags, ack]` between client 10.0.0.1:51000 and server
 * 10.0.0.2:80 (frame numbers are 1-based positions in the list), and what the handler must see.
 */
import { describe, expect, it } from 'vitest';
import { AnomalyLog } from '../../../src/anomaly.js';
import { resolveLimits, type Limits } from '../../../src/limits.js';
import { FlowTable, type FlowInfo } from '../../../src/flow/table.js';
import { seqAdd, seqDiff } from '../../../src/flow/seq.js';
import { Dir, RecordingHandler, meta, packet } from './helpers.js';

type Seg = [from: 'c' | 's', seq: number, payload: string, flags: string, ack?: number];

const C = { ip: '10.0.0.1', port: 51000 };
const S = { ip: '10.0.0.2', port: 80 };

function run(segments: Seg[], limits: Partial<Limits> = {}, wants?: (dir: Dir) => boolean) {
  const anomalies = new AnomalyLog();
  const handlers: RecordingHandler[] = [];
  const table = new FlowTable(resolveLimits(limits), anomalies, (f) => {
    const h = new RecordingHandler(f, wants);
    handlers.push(h);
    return h;
  });
  segments.forEach(([from, seq, payload, flags, ack], i) => {
    const [a, b] = from === 'c' ? [C, S] : [S, C];
    anomalies.packet = i + 1;
    table.onPacket(packet({ src: a.ip, dst: b.ip, sport: a.port, dport: b.port, seq, ack, flags, payload }), meta(i + 1, 1000 + i, 0, 60));
  });
  table.finish();
  return { table, handlers, anomalies, h: handlers[0], info: handlers[0].flow as FlowInfo };
}

/** client ISN 1000, server ISN 5000: data starts at 1001 / 5001 */
const HANDSHAKE: Seg[] = [
  ['c', 1000, '', 'S'],
  ['s', 5000, '', 'SA', 1001],
  ['c', 1001, '', 'A', 5001],
];

interface Want {
  client: string;
  server?: string;
  gaps?: [Dir, number][];
  history?: string;
  missed?: number;
  /** payload bytes that arrived again (counted in the payload, delivered once) */
  retransmitted?: number;
  anomalies?: Record<string, number>;
}

const cases: { name: string; segments: Seg[]; want: Want }[] = [
  {
    name: 'in order',
    segments: [...HANDSHAKE, ['c', 1001, 'hello', 'PA', 5001], ['c', 1006, ' world', 'PA', 5001], ['s', 5001, 'HTTP', 'PA', 1012]],
    want: { client: 'hello world', server: 'HTTP', history: 'ShADd', missed: 0, retransmitted: 0 },
  },
  {
    name: 'out of order, delivered when the hole fills',
    segments: [...HANDSHAKE, ['c', 1006, ' world', 'PA', 5001], ['c', 1001, 'hello', 'PA', 5001]],
    want: { client: 'hello world', history: 'ShAD', missed: 0 },
  },
  {
    name: 'retransmission is delivered once',
    segments: [...HANDSHAKE, ['c', 1001, 'hello', 'PA', 5001], ['c', 1001, 'hello', 'PA', 5001], ['c', 1006, ' world', 'PA', 5001]],
    want: { client: 'hello world', history: 'ShADT', missed: 0, retransmitted: 5 },
  },
  {
    name: 'an out-of-order segment retransmitted while it waits is held once',
    segments: [...HANDSHAKE, ['c', 1006, ' world', 'PA', 5001], ['c', 1006, ' world', 'PA', 5001], ['c', 1001, 'hello', 'PA', 5001]],
    want: { client: 'hello world', history: 'ShADT', missed: 0, retransmitted: 6 },
  },
  {
    name: 'partial retransmission delivers only the new tail',
    segments: [...HANDSHAKE, ['c', 1001, 'hello', 'PA', 5001], ['c', 1004, 'lo world', 'PA', 5001]],
    want: { client: 'hello world', history: 'ShADT', retransmitted: 2 },
  },
  {
    name: 'overlap between buffered segments with equal bytes',
    segments: [...HANDSHAKE, ['c', 1001, 'ab', 'PA'], ['c', 1005, 'EFGH', 'PA'], ['c', 1004, 'DEFG', 'PA'], ['c', 1003, 'C', 'PA']],
    want: { client: 'abCDEFGH', history: 'ShADT', anomalies: {}, retransmitted: 3 },
  },
  {
    name: 'overlap between buffered segments with different bytes: first arrived wins, reported',
    segments: [...HANDSHAKE, ['c', 1001, 'ab', 'PA'], ['c', 1005, 'EFGH', 'PA'], ['c', 1004, 'DXYZ', 'PA'], ['c', 1003, 'C', 'PA']],
    want: { client: 'abCDEFGH', anomalies: { tcp_overlap_conflict: 1 }, retransmitted: 3 },
  },
  {
    name: 'in-order segment overlapping a buffered one with different bytes: buffered bytes win',
    segments: [...HANDSHAKE, ['c', 1001, 'ab', 'PA'], ['c', 1005, 'EF', 'PA'], ['c', 1003, 'CDxyGH', 'PA']],
    want: { client: 'abCDEFGH', anomalies: { tcp_overlap_conflict: 1 }, retransmitted: 2 },
  },
  {
    name: 'sequence numbers wrapping past 2^32',
    segments: [
      ['c', 0xfffffffd, '', 'S'],
      ['c', 0xfffffffe, 'abcd', 'PA'],
      ['c', 2, 'efgh', 'PA'],
    ],
    want: { client: 'abcdefgh', missed: 0 },
  },
  {
    name: 'out of order across the wrap',
    segments: [
      ['c', 0xfffffffd, '', 'S'],
      ['c', 2, 'efgh', 'PA'],
      ['c', 0xfffffffe, 'abcd', 'PA'],
    ],
    want: { client: 'abcdefgh', missed: 0 },
  },
  {
    name: 'stream start not captured: starts at the first seen seq',
    segments: [
      ['c', 777777, 'GET ', 'PA', 9000],
      ['s', 9000, '', 'A', 777781],
      ['c', 777781, '/ HTTP/1.1', 'PA', 9000],
    ],
    want: { client: 'GET / HTTP/1.1', history: 'Da', missed: 0 },
  },
  {
    name: 'gap skipped when the peer acknowledges past it; delivery resumes',
    segments: [...HANDSHAKE, ['c', 1001, 'aaaa', 'PA'], ['c', 1009, 'cccc', 'PA'], ['s', 5001, '', 'A', 1013], ['c', 1013, 'dd', 'PA']],
    want: { client: 'aaaacccc' + 'dd', gaps: [[Dir.ToServer, 4]], history: 'ShADaG', missed: 4 },
  },
  {
    name: 'hole left at the end of the capture: flushed as a gap',
    segments: [...HANDSHAKE, ['c', 1001, 'aaaa', 'PA'], ['c', 1009, 'cccc', 'PA']],
    want: { client: 'aaaacccc', gaps: [[Dir.ToServer, 4]], missed: 4 },
  },
  {
    name: 'ACK for data never captured (trailing loss) counts as missed',
    segments: [...HANDSHAKE, ['c', 1001, 'aaaa', 'PA'], ['s', 5001, '', 'A', 1105]],
    want: { client: 'aaaa', gaps: [[Dir.ToServer, 100]], missed: 100 },
  },
  {
    name: 'SYN retransmitted with the same ISN',
    segments: [
      ['c', 1000, '', 'S'],
      ['c', 1000, '', 'S'],
      ['s', 5000, '', 'SA', 1001],
      ['c', 1001, 'x', 'PA', 5001],
    ],
    want: { client: 'x', history: 'ShD', anomalies: {} },
  },
  {
    name: 'data on the SYN (TCP Fast Open) is delivered',
    segments: [
      ['c', 1000, 'GET /', 'S'],
      ['s', 5000, '', 'SA', 1006],
      ['c', 1006, ' HTTP', 'PA', 5001],
    ],
    want: { client: 'GET / HTTP', history: 'SDh', missed: 0 },
  },
  {
    name: 'FIN consumes one sequence number (its ACK is not a gap)',
    segments: [...HANDSHAKE, ['c', 1001, 'bye', 'FPA'], ['s', 5001, '', 'FA', 1005], ['c', 1005, '', 'A', 5002]],
    // flag letters of a packet are recorded before its D (flow/history.ts)
    want: { client: 'bye', history: 'ShAFDf', missed: 0 },
  },
  {
    name: 'FIN arriving before the data it follows',
    segments: [...HANDSHAKE, ['c', 1004, '', 'FA'], ['c', 1001, 'abc', 'PA'], ['s', 5001, '', 'A', 1005]],
    want: { client: 'abc', missed: 0 },
  },
  {
    name: 'RST ends the stream; its payload is not stream data',
    segments: [...HANDSHAKE, ['c', 1001, 'abc', 'PA'], ['s', 5001, 'oops', 'RA', 1004]],
    want: { client: 'abc', server: '', history: 'ShADrd' },
  },
];

describe('TCP reassembly', () => {
  it.each(cases)('$name', ({ segments, want }) => {
    const { h, info, anomalies } = run(segments);
    expect(h.data[Dir.ToServer]).toBe(want.client);
    if (want.server !== undefined) expect(h.data[Dir.ToClient]).toBe(want.server);
    const gaps = h.events.filter((e) => e.t === 'gap').map((e) => [e.dir, (e as { missed: number }).missed]);
    expect(gaps).toEqual(want.gaps ?? []);
    if (want.history !== undefined) expect(info.history).toBe(want.history);
    if (want.missed !== undefined) expect(info.missedBytes).toBe(want.missed);
    if (want.retransmitted !== undefined) expect(info.retransmittedBytes).toBe(want.retransmitted);
    if (want.anomalies !== undefined) expect(anomalies.countsObject()).toEqual(want.anomalies);
  });

  it('delivers buffered bytes with the frame whose arrival filled the hole', () => {
    const { h } = run([...HANDSHAKE, ['c', 1006, ' world', 'PA'], ['c', 1001, 'hello', 'PA']]);
    expect(h.events.filter((e) => e.t === 'data')).toEqual([
      { t: 'data', dir: Dir.ToServer, text: 'hello', frame: 5 },
      { t: 'data', dir: Dir.ToServer, text: ' world', frame: 5 },
    ]);
  });

  it('reports the gap before the bytes after it, at the frame of the ACK that proved the loss', () => {
    const { h } = run([...HANDSHAKE, ['c', 1001, 'aa', 'PA'], ['c', 1005, 'cc', 'PA'], ['s', 5001, '', 'A', 1007]]);
    expect(h.events.filter((e) => e.t !== 'close')).toEqual([
      { t: 'data', dir: Dir.ToServer, text: 'aa', frame: 4 },
      { t: 'gap', dir: Dir.ToServer, missed: 2, frame: 6 },
      { t: 'data', dir: Dir.ToServer, text: 'cc', frame: 6 },
    ]);
  });

  it('counts payload (as reported) even when the snaplen cut it, and the cut part as missed', () => {
    const anomalies = new AnomalyLog();
    let h!: RecordingHandler;
    const table = new FlowTable(resolveLimits(), anomalies, (f) => (h = new RecordingHandler(f)));
    table.onPacket(packet({ src: C.ip, dst: S.ip, sport: C.port, dport: S.port, seq: 1, flags: 'PA', payload: 'abcdefgh', captured: 3 }), meta(1, 0, 0, 60));
    table.onPacket(packet({ src: S.ip, dst: C.ip, sport: S.port, dport: C.port, seq: 50, ack: 9, flags: 'A' }), meta(2, 0, 0, 60));
    table.finish();
    expect(h.data[Dir.ToServer]).toBe('abc');
    expect([h.flow.payloadToServer, h.flow.payloadToClient]).toEqual([8, 0]);
    expect([h.flow.bytesToServer, h.flow.bytesToClient]).toEqual([48, 40]); // IP total length fields: 20 + 20 + 8, 20 + 20
    expect(h.flow.missedBytes).toBe(5);
  });
});

describe('wants(dir) = false', () => {
  it('stops delivery and buffering of that direction but keeps counting and gap accounting', () => {
    const segs: Seg[] = [
      ...HANDSHAKE,
      ['c', 1001, 'GET', 'PA', 5001],
      ['s', 5001, 'AAAA', 'PA', 1004],
      ['s', 5009, 'CCCC', 'PA', 1004], // out of order: kept as a bare range, not copied
      ['c', 1004, '', 'A', 5013], // the client acknowledges the hole: 4 bytes missed
    ];
    const { h, info, table } = run(segs, {}, (dir) => dir === Dir.ToServer);
    expect(h.data).toEqual(['GET', '']);
    expect(h.events.some((e) => e.t === 'gap')).toBe(false); // not delivered to a handler that stopped wanting
    expect([info.payloadToServer, info.payloadToClient]).toEqual([3, 8]);
    expect([info.packetsToServer, info.packetsToClient]).toEqual([4, 3]);
    expect(info.missedBytes).toBe(4);
    expect(info.history).toBe('ShADdg');
    expect(table.bufferedBytes).toBe(0);
  });

  it('is not asked again once it said false', () => {
    const segs: Seg[] = [...HANDSHAKE, ['s', 5001, 'a', 'PA'], ['s', 5002, 'b', 'PA'], ['s', 5003, 'c', 'PA']];
    const { h } = run(segs, {}, (dir) => dir === Dir.ToServer);
    expect(h.wantsCalls).toBe(1);
  });
});

describe('buffer caps', () => {
  it.each([
    {
      limit: 'maxBufferedSegmentsPerStream' as const,
      limits: { maxBufferedSegmentsPerStream: 2 },
      // hole at 1001..1003; three out-of-order segments; the third does not fit
      segments: [...HANDSHAKE, ['c', 1003, 'c', 'PA'], ['c', 1005, 'e', 'PA'], ['c', 1007, 'g', 'PA']] as Seg[],
      client: 'c' + 'e' + 'g',
      gaps: [
        [Dir.ToServer, 2],
        [Dir.ToServer, 1],
        [Dir.ToServer, 1],
      ],
    },
    {
      limit: 'maxBufferedBytesPerStream' as const,
      limits: { maxBufferedBytesPerStream: 4 },
      segments: [...HANDSHAKE, ['c', 1003, 'cd', 'PA'], ['c', 1005, 'efg', 'PA'], ['c', 1001, 'ab', 'PA']] as Seg[],
      client: 'cdefg',
      gaps: [[Dir.ToServer, 2]],
    },
    {
      limit: 'maxBufferedBytesTotal' as const,
      limits: { maxBufferedBytesTotal: 2 },
      segments: [...HANDSHAKE, ['s', 5003, 'CD', 'PA'], ['c', 1003, 'cd', 'PA'], ['c', 1001, 'ab', 'PA']] as Seg[],
      client: 'cd', // the server's 2 bytes fill the budget: the client's hole is given up at once
      gaps: [[Dir.ToServer, 2]],
    },
  ])('$limit: reported as limit_reached, the hole is skipped, delivery continues', ({ limit, limits, segments, client, gaps }) => {
    const { h, anomalies } = run(segments, limits);
    expect(h.data[Dir.ToServer]).toBe(client);
    const clientGaps = h.events.flatMap((e) => (e.t === 'gap' && e.dir === Dir.ToServer ? [[e.dir, e.missed]] : []));
    expect(clientGaps).toEqual(gaps);
    expect(anomalies.kept.find((a) => a.code === 'limit_reached')?.detail).toBe(limit);
  });
});

describe('seq arithmetic', () => {
  it.each([
    [5, 3, 2],
    [3, 5, -2],
    [0, 0xffffffff, 1],
    [0xffffffff, 0, -1],
    [0x7fffffff, 0, 0x7fffffff],
    [10, 0xfffffff0, 26],
  ])('seqDiff(%d, %d) = %d', (a, b, want) => {
    expect(seqDiff(a, b)).toBe(want);
  });

  it('seqAdd wraps at 2^32', () => {
    expect(seqAdd(0xfffffffe, 4)).toBe(2);
    expect(seqAdd(1, 2)).toBe(3);
  });
});
