/**
 * One named test per crash or hang the fuzzer or this suite found, with where it was and why.
 * A bug still open in another area is written as the behaviour we want under `it.fails`
 * (green while the bug exists, red once fixed — then flip it to `it`); all below are fixed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PcapngWriter, concatBytes } from '../../src/capture/writer.js';
import { ETHERTYPE, IP_PROTO, ethernet, ipv4, tcp, tcpFlags, udp } from '../../test-support/synth/packets.js';
import { buildClientHelloRecord } from '../../test-support/synth/tls.js';
import { scanCapture } from '../../src/engine/scan.js';
import { resolveLimits } from '../../src/limits.js';
import type { Observation } from '../../src/engine/observations.js';
import { CLIENT, SERVER, TcpConversation, pcapOf, runCli, scanBytes } from './helpers.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'leakscope-regress-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('regressions', () => {
  // Found by the fuzzer (seed 7, iteration 10415: editcap byte errors in loopback_clients.pcap).
  // All 7 hangs of the first 100,000-mutation run were this. src/flow/reassembly.ts
  // TcpHalfStream.flush() was `while (segments.length > 0) skipTo(segments[0].seq)`, which made
  // no progress when the first buffered segment started exactly at nextSeq — as happens once
  // reachFin() moves nextSeq one past the FIN onto a segment buffered there — and spun forever.
  // Run through the built CLI with a timeout: a hang in-process would block the test runner.
  it('does not hang at the end of a capture when out-of-order data waits just past the FIN (src/flow/reassembly.ts flush)', () => {
    const c = new TcpConversation(40100, 80).handshake();
    const request = 'GET /after-fin HTTP/1.1\r\nHost: fin.example\r\n\r\n';
    const fin = (c.cseq + request.length) >>> 0;
    // 4 bytes right after the FIN's sequence number arrive first and are buffered …
    c.frames.push(c.segment(true, tcpFlags.ACK | tcpFlags.PSH, new TextEncoder().encode('XXXX'), (fin + 1) >>> 0, c.sseq));
    // … then the request with the FIN: nextSeq becomes fin+1, the start of the buffered segment
    c.client(request, tcpFlags.ACK | tcpFlags.PSH | tcpFlags.FIN);
    const file = path.join(tmp, 'data-past-fin.pcap');
    writeFileSync(file, c.pcap());
    const run = runCli(['events', file, '--format', 'ndjson'], 15_000);
    expect(run.timedOut).toBe(false);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('"uri":"/after-fin"');
  }, 30_000);

  // Found by the fuzzer (seed 0, iterations 1754 and 2124: an interface block's if_tsresol option
  // overwritten, so nanosecond timestamps were read as seconds). pcapng timestamps are 64-bit and
  // if_tsresol may be 10^0, so tsSec can exceed what Date represents (±8.64e12 s);
  // src/capture/frame.ts formatTimestamp() threw RangeError('Invalid time value') from
  // Date#toISOString, the packet loop turned it into internal_decoder_error and the TLS
  // observation of that frame was lost. formatTimestamp now clamps.
  it('keeps the observation of a frame whose pcapng timestamp is beyond the Date range (src/capture/frame.ts formatTimestamp)', async () => {
    const w = new PcapngWriter();
    const ends = { src: CLIENT, dst: SERVER };
    const hello = buildClientHelloRecord({ serverName: 'far-future.example' });
    const frame = (flags: number, seq: number, data: Uint8Array) =>
      ethernet({ type: ETHERTYPE.IPV4 }, ipv4({ ...ends, proto: IP_PROTO.TCP }, tcp({ sport: 40200, dport: 443, seq, flags }, data, ends)));
    const bytes = concatBytes([
      w.section(),
      w.interface({ linkType: 1, tsresol: 0 }), // one-second units
      w.enhancedPacket(0, { tsSec: 1e15, tsNsec: 0, data: frame(tcpFlags.SYN, 7, new Uint8Array(0)) }),
      w.enhancedPacket(0, { tsSec: 1e15 + 1, tsNsec: 0, data: frame(tcpFlags.ACK | tcpFlags.PSH, 8, hello) }),
    ]);
    const s = await scanBytes(bytes);
    expect(s.error).toBeUndefined();
    expect(s.result!.anomalies.countsObject().internal_decoder_error).toBeUndefined();
    expect(s.observations.map((o) => (o.type === 'tls' ? o.sni : o.type))).toEqual(['far-future.example']);
  });

  // Frames are views into the reader's read buffers, which readCapture reuses two chunks later.
  // Until 08:24 on the day of the robustness work frame.data was a Node Buffer, on which
  // `.slice()` is a VIEW (unlike Uint8Array#slice), so src/flow/table.ts (the flow's address keys)
  // and src/flow/reassembly.ts (buffered out-of-order bytes) kept bytes that were overwritten
  // later (seen as flow keys changing under live flows). src/capture/parser.ts now hands out
  // plain Uint8Arrays; these tests keep it that way. A 4 KiB read chunk makes the reuse happen
  // within a few packets, as 1 MiB does in real files.
  async function scanFileWithSmallChunks(frames: Uint8Array[], name: string) {
    const file = path.join(tmp, name);
    writeFileSync(file, pcapOf(frames));
    const observations: Observation[] = [];
    const result = await scanCapture(file, { limits: resolveLimits({ readChunkBytes: 4096 }), onObservation: (o) => observations.push(o) });
    return { result, observations };
  }
  // UDP frames that carry the reader past a few 4 KiB chunks (the first chunk is a copy, so the
  // interesting packets come after some of these)
  const otherEnds = { src: '10.9.0.1', dst: '10.9.0.2' };
  const filler = Array.from({ length: 120 }, (_, i) =>
    ethernet(
      { type: ETHERTYPE.IPV4 },
      ipv4({ ...otherEnds, proto: IP_PROTO.UDP }, udp({ sport: 20000 + i, dport: 9999 }, new Uint8Array(100).fill(0xee), otherEnds)),
    ),
  );
  const lead = filler.slice(0, 40);

  it('a TCP stream keeps its identity after the reader reuses its read buffers (flow address keys are copies)', async () => {
    const c = new TcpConversation(40900, 80).handshake();
    const early = c.frames.splice(0);
    c.client('GET /same-stream HTTP/1.1\r\nHost: identity.example\r\n\r\n').server('HTTP/1.1 204 No Content\r\n\r\n');
    const { result, observations } = await scanFileWithSmallChunks([...lead, ...early, ...filler, ...c.frames], 'identity.pcap');
    expect(result.tcpStreams).toBe(1);
    expect(observations.filter((o) => o.type === 'http').map((o) => [o.stream, o.type === 'http' && o.host])).toEqual([[0, 'identity.example']]);
  });

  it('out-of-order bytes buffered before the reader reuses its read buffers are delivered intact (buffered bytes are copies)', async () => {
    const c = new TcpConversation(40901, 80).handshake();
    const parts = ['POST /reorder HTTP/1.1\r\n', 'X-Pad: 0123456789\r\n', 'Host: reorder.example\r\nContent-Length: 0\r\n\r\n'];
    const seq0 = c.cseq;
    const seg = (i: number) => {
      const before = parts.slice(0, i).join('').length;
      return c.segment(true, tcpFlags.ACK | tcpFlags.PSH, new TextEncoder().encode(parts[i]), seq0 + before, c.sseq);
    };
    const { observations } = await scanFileWithSmallChunks([...lead, ...c.frames, seg(0), seg(2), ...filler, seg(1)], 'reorder.pcap');
    expect(observations.filter((o) => o.type === 'http').map((o) => o.type === 'http' && [o.uri, o.host])).toEqual([['/reorder', 'reorder.example']]);
  });
});
