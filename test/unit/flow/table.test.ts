/** The flow table: roles, ids, lifetimes (FIN/RST/idle/eviction/port reuse), UDP, and a real capture. */
import { describe, expect, it } from 'vitest';
import { AnomalyLog } from '../../../src/anomaly.js';
import { resolveLimits, type Limits } from '../../../src/limits.js';
import { FlowTable, senderIsClient } from '../../../src/flow/table.js';
import { corpusFile } from '../../helpers/paths.js';
import { Dir, RecordingHandler, decodeSimple, meta, packet, readPcapFrames, type PacketSpec } from './helpers.js';

function table(limits: Partial<Limits> = {}) {
  const anomalies = new AnomalyLog();
  const handlers: RecordingHandler[] = [];
  const closed: string[] = [];
  const t = new FlowTable(resolveLimits(limits), anomalies, (f) => {
    const h = new RecordingHandler(f);
    const onClose = h.onClose.bind(h);
    h.onClose = (info) => {
      closed.push(`${info.proto}${info.id}:${info.closeReason}`);
      onClose(info);
    };
    handlers.push(h);
    return h;
  });
  let frame = 0;
  const send = (spec: PacketSpec, tsSec = 0, tsNsec = 0) => t.onPacket(packet(spec), meta(++frame, tsSec, tsNsec));
  return { t, anomalies, handlers, closed, send };
}

const c2s = (o: Partial<PacketSpec> = {}): PacketSpec => ({ src: '10.0.0.1', dst: '10.0.0.2', sport: 51000, dport: 443, ...o });
const s2c = (o: Partial<PacketSpec> = {}): PacketSpec => ({ src: '10.0.0.2', dst: '10.0.0.1', sport: 443, dport: 51000, ...o });

describe('client/server roles', () => {
  it.each([
    // [tcp, flags, srcPort, dstPort, sender is client]
    [true, 'S', 80, 51000, true], // a SYN decides, whatever the ports
    [true, 'SA', 51000, 80, false],
    [true, 'A', 443, 51000, false], // known server port
    [true, 'A', 51000, 8443, true],
    [false, '', 53, 40000, false],
    [false, '', 40000, 18053, true],
    [true, 'A', 993, 8080, true], // a known port outranks a port below 1024
    [true, 'A', 22, 25, false], // both below 1024: the lower is the server
    [true, 'A', 40000, 50000, true], // no evidence: the first sender is the client
    [true, 'A', 50000, 40000, true],
  ])('tcp=%s flags=%s %d → %d: sender is client = %s', (tcp, flags, sport, dport, want) => {
    const bits = [...flags].reduce((f, c) => f | ({ S: 2, A: 0x10 } as Record<string, number>)[c], 0);
    expect(senderIsClient(tcp, bits, sport, dport)).toBe(want);
  });

  it('a flow first seen from the server side still names the client correctly', () => {
    const { t, handlers, send } = table();
    send(s2c({ seq: 7, ack: 1, flags: 'PA', payload: 'hi' }));
    send(c2s({ seq: 1, ack: 9, flags: 'A' }));
    t.finish();
    const f = handlers[0].flow;
    expect([f.client, f.clientPort, f.server, f.serverPort]).toEqual(['10.0.0.1', 51000, '10.0.0.2', 443]);
    expect([f.packetsToServer, f.packetsToClient]).toEqual([1, 1]);
    expect(handlers[0].data).toEqual(['', 'hi']);
    expect(f.history).toBe('dA');
  });

  it('formats IPv6 endpoints once, as inet_ntop does', () => {
    const { t, handlers, send } = table();
    send({ src: '2001:db8:0:0:0:0:0:1', dst: '2001:db8:0:1:0:0:0:2', sport: 40000, dport: 443, seq: 1, flags: 'S' });
    t.finish();
    expect(handlers[0].flow).toMatchObject({ ipVersion: 6, client: '2001:db8::1', server: '2001:db8:0:1::2', bytesToServer: 60, bytesToClient: 0 });
  });
});

describe('stream ids and lifetimes', () => {
  it('numbers TCP and UDP separately from 0 in order of creation', () => {
    const { t, closed, send } = table();
    send(c2s({ flags: 'S', seq: 1 }));
    send({ src: '10.0.0.1', dst: '8.8.8.8', sport: 40000, dport: 53, proto: 'udp', payload: 'q' });
    send(c2s({ sport: 51001, flags: 'S', seq: 1 }));
    t.finish();
    expect(closed).toEqual(['tcp0:end', 'udp0:end', 'tcp1:end']);
    expect(t.stats).toEqual({ tcpStreams: 2, udpFlows: 1, evicted: 0, liveFlows: 0 });
  });

  it('a flow that only ever sent a SYN gets its handler when it closes, not before', () => {
    const { t, handlers, closed, send } = table();
    send(c2s({ flags: 'S', seq: 1 }));
    send(c2s({ flags: 'S', seq: 1 })); // retransmitted
    send({ src: '10.0.0.1', dst: '8.8.8.8', sport: 40000, dport: 53, proto: 'udp', payload: 'q' });
    expect(handlers.map((h) => `${h.flow.proto}${h.flow.id}`)).toEqual(['udp0']);
    t.finish();
    expect(handlers.map((h) => `${h.flow.proto}${h.flow.id}`)).toEqual(['udp0', 'tcp0']);
    expect(closed).toEqual(['tcp0:end', 'udp0:end']);
  });

  it('a SYN remembered without a half-stream still reports a changed ISN and still detects port reuse', () => {
    const { t, anomalies, closed, send } = table();
    send(c2s({ flags: 'S', seq: 100 }));
    send(c2s({ flags: 'S', seq: 200 })); // same 5-tuple, new ISN, no FIN or RST: not reuse, an anomaly
    expect(anomalies.kept.map((a) => [a.code, a.detail])).toEqual([['tcp_syn_seq_changed', 'isn 100 then 200']]);
    send(c2s({ flags: 'R', seq: 101 }));
    send(c2s({ flags: 'S', seq: 100 })); // after a RST the same SYN again is a new stream
    t.finish();
    expect(closed).toEqual(['tcp0:rst', 'tcp1:end']);
  });

  it('FIN from both sides closes with reason fin; finish() keeps that reason', () => {
    const { t, closed, handlers, send } = table();
    send(c2s({ flags: 'S', seq: 100 }));
    send(s2c({ flags: 'SA', seq: 900, ack: 101 }));
    send(c2s({ flags: 'FA', seq: 101, ack: 901 }));
    send(s2c({ flags: 'FA', seq: 901, ack: 102 }));
    send(c2s({ flags: 'A', seq: 102, ack: 902 })); // trailing ACK: same stream
    t.finish();
    expect(closed).toEqual(['tcp0:fin']);
    expect(handlers[0].flow.history).toBe('ShFfA');
    expect([handlers[0].flow.packetsToServer, handlers[0].flow.packetsToClient]).toEqual([3, 2]);
  });

  it('a closed stream lingers tcpCloseLingerSec, then is closed by the sweep', () => {
    const { t, closed, send } = table({ tcpCloseLingerSec: 5 });
    send(c2s({ flags: 'S', seq: 100 }), 0);
    send(s2c({ flags: 'RA', seq: 0, ack: 101 }), 1);
    expect(closed).toEqual([]);
    send(c2s({ sport: 51001, flags: 'S', seq: 1 }), 7); // any later packet drives the sweep
    expect(closed).toEqual(['tcp0:rst']);
    t.finish();
  });

  it('port reuse: a new SYN with a new ISN after FIN starts a new stream', () => {
    const { t, closed, handlers, send } = table();
    send(c2s({ flags: 'S', seq: 100 }));
    send(s2c({ flags: 'SA', seq: 900, ack: 101 }));
    send(c2s({ flags: 'FPA', seq: 101, ack: 901, payload: 'one' }));
    send(s2c({ flags: 'FA', seq: 901, ack: 105 }));
    send(c2s({ flags: 'S', seq: 100 })); // same ISN: a retransmitted SYN of the old stream
    expect(closed).toEqual([]);
    send(c2s({ flags: 'S', seq: 5000 }));
    expect(closed).toEqual(['tcp0:fin']);
    send(c2s({ flags: 'PA', seq: 5001, payload: 'two' }));
    t.finish();
    expect(handlers.map((h) => [h.flow.id, h.data[Dir.ToServer]])).toEqual([
      [0, 'one'],
      [1, 'two'],
    ]);
    expect(closed).toEqual(['tcp0:fin', 'tcp1:end']);
  });

  it('after a RST, the same SYN again starts a new stream (suricata-verify base64-decode-5885)', () => {
    const { t, closed, handlers, send } = table();
    send(c2s({ flags: 'S', seq: 100 }));
    send(s2c({ flags: 'A', seq: 1, ack: 7777 })); // an ACK for nothing: the client resets
    send(c2s({ flags: 'R', seq: 7777 }));
    send(c2s({ flags: 'S', seq: 100 })); // the very same SYN, retried
    expect(closed).toEqual(['tcp0:rst']);
    send(s2c({ flags: 'SA', seq: 900, ack: 101 }));
    send(c2s({ flags: 'PA', seq: 101, ack: 901, payload: 'hello' }));
    t.finish();
    expect(handlers.map((h) => [h.flow.id, h.data[Dir.ToServer]])).toEqual([
      [0, ''],
      [1, 'hello'],
    ]);
  });

  it.each([
    // [timeout s, last packet (s, ns), next packet (s, ns), expired]
    [120, [0, 500_000_000], [120, 500_000_000], false], // exactly the timeout: not past it
    [120, [0, 500_000_000], [120, 500_000_001], true],
    [120, [0, 999_999_999], [120, 999_999_999], false],
    [120, [0, 999_999_999], [121, 0], true],
    [120, [5, 0], [124, 999_999_999], false],
    [0.5, [7, 100_000_000], [7, 600_000_000], false], // a fractional timeout
    [0.5, [7, 600_000_000], [8, 100_000_001], true],
    [0.5, [7, 900_000_000], [8, 300_000_000], false],
  ] as const)('idle timeout %s s: last packet at %j, next at %j → expired %s (to the nanosecond)', (timeout, [s0, n0], [s1, n1], expired) => {
    const { closed, send } = table({ udpIdleTimeoutSec: timeout });
    const dns = { src: '10.0.0.1', dst: '8.8.8.8', sport: 40000, dport: 53, proto: 'udp' as const, payload: 'q' };
    send(dns, s0, n0);
    send(dns, s1, n1);
    expect(closed).toEqual(expired ? ['udp0:idle'] : []);
  });

  it('an idle flow is closed (idle) and the same 5-tuple later is a new flow', () => {
    const { t, closed, handlers, send } = table({ udpIdleTimeoutSec: 120 });
    const dns = { src: '10.0.0.1', dst: '8.8.8.8', sport: 40000, dport: 53, proto: 'udp' as const, payload: 'query' };
    send(dns, 0);
    send({ ...dns, src: '8.8.8.8', dst: '10.0.0.1', sport: 53, dport: 40000, payload: 'answer' }, 1);
    send(dns, 200);
    expect(closed).toEqual(['udp0:idle']);
    t.finish();
    expect(closed).toEqual(['udp0:idle', 'udp1:end']);
    expect(handlers[0].events.filter((e) => e.t === 'datagram')).toEqual([
      { t: 'datagram', dir: Dir.ToServer, text: 'query', frame: 1 },
      { t: 'datagram', dir: Dir.ToClient, text: 'answer', frame: 2 },
    ]);
    expect(handlers[0].flow.history).toBe('Dd');
  });

  it('a flow whose idle time passed since the last sweep is expired when its next packet arrives', () => {
    const { t, closed, handlers, send } = table({ udpIdleTimeoutSec: 1 });
    const q = { src: '10.0.0.1', dst: '8.8.8.8', sport: 40000, dport: 53, proto: 'udp' as const, payload: 'q' };
    send(q, 10, 500_000_000);
    send({ ...q, sport: 40001 }, 11, 0); // sweep at second 11: flow 0 idle 0.5 s, kept
    expect(closed).toEqual([]);
    send(q, 11, 900_000_000); // no sweep within second 11, but flow 0 has been idle 1.4 s
    expect(closed).toEqual(['udp0:idle']);
    expect(handlers.map((h) => h.flow.id)).toEqual([0, 1, 2]);
    t.finish();
  });

  it('evicts the least recently active flow at maxFlows and reports limit_reached', () => {
    const { t, closed, anomalies, send } = table({ maxFlows: 2 });
    send(c2s({ sport: 1001, flags: 'S' }), 1);
    send(c2s({ sport: 1002, flags: 'S' }), 2);
    send(c2s({ sport: 1001, flags: 'A', seq: 1 }), 3); // flow 0 is now the more recent
    send(c2s({ sport: 1003, flags: 'S' }), 4);
    expect(closed).toEqual(['tcp1:evicted']);
    expect(t.stats).toMatchObject({ evicted: 1, liveFlows: 2, tcpStreams: 3 });
    expect(anomalies.kept).toEqual([{ code: 'limit_reached', packet: 0, offset: 0, stream: 1, proto: 'tcp', detail: 'maxFlows' }]);
    t.finish();
    expect(closed).toEqual(['tcp1:evicted', 'tcp0:end', 'tcp2:end']);
  });

  it("keeps every flow apart past the address slab's first growth, with freed slots reused and flows taking turns", () => {
    const { t, handlers, closed, send } = table();
    const host = (i: number): string => `10.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}`;
    const flows = 10_000; // more than the slab holds before it grows
    for (let i = 0; i < flows; i++) send({ src: host(i), dst: '192.0.2.1', sport: 40000, dport: 80, flags: 'S', seq: i }, 1);
    // RSTs close the first 100 flows (the sweep at the next second past the linger frees their slots); new flows take them
    for (let i = 0; i < 100; i++) send({ src: host(i), dst: '192.0.2.1', sport: 40000, dport: 80, flags: 'R', seq: i + 1 }, 2);
    for (let i = 0; i < 100; i++) send({ src: host(flows + i), dst: '192.0.2.1', sport: 40000, dport: 80, flags: 'S', seq: 7 }, 20);
    // data from both ends of flows far apart in the table, alternating (the last flow is not the next one's)
    const sent = new Map<number, number>();
    for (const i of [5000, 9999, 5000, 150, 9999, 150]) {
      const round = sent.get(i) ?? 0;
      sent.set(i, round + 1);
      const text = `${round}:${i};`;
      send({ src: host(i), dst: '192.0.2.1', sport: 40000, dport: 80, flags: 'A', seq: i + 1 + round * text.length, payload: text }, 21);
      send({ src: '192.0.2.1', dst: host(i), sport: 80, dport: 40000, flags: 'A', seq: 1000 + round * text.length, payload: text.toUpperCase() }, 21);
    }
    expect(t.stats.tcpStreams).toBe(flows + 100);
    const byClient = new Map(handlers.map((h) => [h.flow.client, h]));
    for (const i of [5000, 9999, 150]) {
      const h = byClient.get(host(i))!;
      expect([h.flow.packetsToServer, h.flow.packetsToClient]).toEqual([3, 2]);
      expect(h.data[Dir.ToServer]).toBe(`0:${i};1:${i};`);
      expect(h.data[Dir.ToClient]).toBe(`0:${i};1:${i};`);
    }
    expect(closed).toHaveLength(100);
    expect(t.stats.liveFlows).toBe(flows);
    t.finish();
  });

  it('ignores packets without a usable transport layer', () => {
    const { t, send } = table();
    const p = packet(c2s({ flags: 'S' }));
    p.transportOk = false;
    t.onPacket(p, meta(1, 0, 0, 60));
    send({ ...c2s(), proto: 'udp' });
    expect(t.stats.liveFlows).toBe(1);
    t.finish();
  });
});

describe('order of events within one segment', () => {
  it('the ACK a segment carries is handled before its data: a hole it acknowledges in the other direction comes first', () => {
    // the server's bytes 111–120 never reach the capture; the client's next data acknowledges them
    const { t, handlers, send } = table();
    send(c2s({ seq: 1, ack: 101, flags: 'PA', payload: 'req1' }));
    send(s2c({ seq: 101, ack: 5, flags: 'PA', payload: 'x'.repeat(10) }));
    send(c2s({ seq: 5, ack: 121, flags: 'PA', payload: 'req2' }));
    t.finish();
    expect(
      handlers[0].events.filter((e) => e.t !== 'close').map((e) => (e.t === 'gap' ? `gap ${e.dir} ${e.missed}` : e.t === 'data' ? `${e.dir} ${e.text}` : e.t)),
    ).toEqual([`${Dir.ToServer} req1`, `${Dir.ToClient} ${'x'.repeat(10)}`, `gap ${Dir.ToClient} 10`, `${Dir.ToServer} req2`]);
  });
});

describe('real capture: zeek__tcp-fast-open.pcap', () => {
  it('delivers the data a SYN carried (TCP Fast Open) and splits two connections', () => {
    const handlers: RecordingHandler[] = [];
    const anomalies = new AnomalyLog();
    const t = new FlowTable(resolveLimits(), anomalies, (f) => {
      const h = new RecordingHandler(f);
      handlers.push(h);
      return h;
    });
    readPcapFrames(corpusFile('zeek__tcp-fast-open.pcap')).forEach((fr, i) => {
      const p = decodeSimple(fr.data, fr.linkType);
      if (p) t.onPacket(p, meta(i + 1, fr.tsSec, fr.tsNsec, fr.origlen));
    });
    t.finish();
    // tshark: stream 0 = 55533 → 80 (65 bytes out, 200 in), stream 1 = 55534 → 80 with 86 bytes on the SYN (frame 8)
    expect(handlers.map((h) => [h.flow.id, h.flow.clientPort, h.flow.serverPort])).toEqual([
      [0, 55533, 80],
      [1, 55534, 80],
    ]);
    expect(handlers.map((h) => [h.data[0].length, h.data[1].length])).toEqual([
      [65, 200],
      [86, 1307],
    ]);
    const tfo = handlers[1];
    expect(tfo.events[0]).toMatchObject({ t: 'data', dir: Dir.ToServer, frame: 8 });
    expect(tfo.data[0].startsWith('GET ')).toBe(true);
    // from tshark's flags per frame: 1 S, 2 SA, 3 client data, 4 ack, 5 data, 6 FIN, 7 FIN;
    // 8 SYN+data, 10 SA, 11 ack, 12 data, 13 ack, 14 FIN, 15 FIN, 16 ack
    expect(handlers.map((h) => [h.flow.history, h.flow.missedBytes, h.flow.closeReason])).toEqual([
      ['ShDadfF', 0, 'fin'],
      ['SDhAdfFa', 0, 'fin'],
    ]);
    expect(anomalies.total).toBe(0);
  });
});
