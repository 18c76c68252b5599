/**
 * Packet loss in a plaintext connection, end to end (reader, reassembly, HTTP, leak detection):
 * a lost segment must neither hide the requests after it nor fold them into an earlier body.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PcapWriter, concatBytes } from '../../../src/capture/writer.js';
import { analyzeCaptures } from '../../../src/engine/analyze.js';
import { scanCapture } from '../../../src/engine/scan.js';
import type { Observation } from '../../../src/engine/observations.js';
import { TrafficBuilder } from '../../../test-support/synth/session.js';
import { buildClientHelloRecord } from '../../../test-support/synth/tls.js';
import { corpusFile } from '../../helpers/paths.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'leakscope-gaps-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const enc = new TextEncoder();

/**
 * Writes the frames of `build` without the frames numbered in `drop` (0-based) into a capture.
 */
function writeWithout(name: string, drop: number[], build: (tb: TrafficBuilder) => void): string {
  const frames: { tsSec: number; tsNsec: number; data: Uint8Array }[] = [];
  build(new TrafficBuilder({ write: (tsSec, tsNsec, data) => frames.push({ tsSec, tsNsec, data }) }, 1_700_000_000));
  const w = new PcapWriter();
  const file = path.join(tmp, `${name}.pcap`);
  writeFileSync(file, concatBytes([w.header(), ...frames.filter((_, i) => !drop.includes(i)).map((f) => w.packet(f))]));
  return file;
}

/**
 * A keep-alive connection: a POST with a 3,000-byte body (three segments), then a GET carrying a
 * search. Frames: 0–2 handshake, 3–5 the POST's segments, 6 ACK, 7 response, 8 ACK, 9 the GET, …
 */
function capture(name: string, drop: number[]): string {
  const body = 'data='.padEnd(3000, 'x');
  return writeWithout(name, drop, (tb) =>
    tb.tcpConnection({ ip: '10.0.0.1', port: 40000 }, { ip: '203.0.113.9', port: 80 }, [
      { from: 'client', data: enc.encode(`POST /upload HTTP/1.1\r\nHost: data.mistat.xiaomi.com\r\nContent-Length: ${body.length}\r\n\r\n${body}`) },
      { from: 'server', data: enc.encode('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n') },
      {
        from: 'client',
        data: enc.encode('GET /track?url=https%3A%2F%2Fwww.google.com%2Fsearch%3Fq%3Dsecret%2Bwords HTTP/1.1\r\nHost: data.mistat.xiaomi.com\r\n\r\n'),
      },
      { from: 'server', data: enc.encode('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n') },
    ]),
  );
}

async function httpEvents(file: string): Promise<string[]> {
  const out: string[] = [];
  await scanCapture(file, {
    onObservation: (o: Observation) => {
      if (o.type === 'http') out.push(`${o.method} ${o.uri.split('?')[0]}`);
    },
  });
  return out;
}

describe('a lost segment in a plaintext HTTP connection', () => {
  it('nothing lost: both requests', async () => {
    expect(await httpEvents(capture('whole', []))).toEqual(['POST /upload', 'GET /track']);
  });

  it('the middle of the POST body lost: the POST (incomplete) and the GET after it are both reported', async () => {
    const file = capture('body-hole', [4]);
    expect(await httpEvents(file)).toEqual(['POST /upload', 'GET /track']);
    const flags: boolean[] = [];
    await scanCapture(file, {
      onObservation: (o: Observation) => {
        if (o.type === 'http') flags.push(o.incomplete);
      },
    });
    expect(flags).toEqual([true, false]);
  });

  it('the POST head lost: the GET after it is still found, and its search leaks', async () => {
    const file = capture('head-lost', [3]);
    expect(await httpEvents(file)).toEqual(['GET /track']);
    const { hosts } = await analyzeCaptures([{ name: file, source: file }]);
    const leaks = hosts.flatMap((h) => h.leaks.map((l) => `${l.kind}:${l.value}`));
    expect(leaks).toContain('search_query:secret words');
  });
});

describe('a lost segment of a TLS ClientHello', () => {
  it('the server name from the segment that arrived is still reported, marked cut, without a fingerprint of half a hello', async () => {
    // a post-quantum hello of ~1.9 KB: frames 3 and 4 carry it; frame 4 is lost
    const file = writeWithout('hello-cut', [4], (tb) =>
      tb.tcpConnection({ ip: '10.0.0.1', port: 40001 }, { ip: '203.0.113.9', port: 443 }, [
        { from: 'client', data: buildClientHelloRecord({ serverName: 'tracking.intl.miui.com', tls13: true, postQuantum: true }) },
        { from: 'server', data: new Uint8Array(100) },
      ]),
    );
    const tls: Observation[] = [];
    const res = await scanCapture(file, {
      onObservation: (o: Observation) => {
        if (o.type === 'tls') tls.push(o);
      },
    });
    expect(tls.map((o) => o.type === 'tls' && [o.sni, o.cut, o.ja4, o.ja3])).toEqual([['tracking.intl.miui.com', true, null, null]]);
    expect(res.anomalies.counts.get('tls_gap')).toBe(1);
  });
});

/**
 * A keep-alive connection carrying `exchanges` in order; each request is `METHOD /name` and each
 * final response `HTTP/1.1 200 name`, so a response's reason names the request it answers.
 * Frames with single-segment messages: 0–2 handshake, then per message its segment and the
 * receiver's ACK (3 r1, 4, 5 s1, 6, 7 r2, 8, 9 s2, 10, 11 r3, 12, 13 s3, 14, …).
 */
function keepAlive(name: string, drop: number[], messages: { from: 'client' | 'server'; text: string }[]): string {
  return writeWithout(name, drop, (tb) =>
    tb.tcpConnection(
      { ip: '10.0.0.2', port: 40100 },
      { ip: '203.0.113.10', port: 80 },
      messages.map((m) => ({ from: m.from, data: enc.encode(m.text) })),
    ),
  );
}
const get = (name: string, method = 'GET') => ({ from: 'client' as const, text: `${method} /${name} HTTP/1.1\r\nHost: api.example.com\r\n\r\n` });
const ok = (name: string, body = name) => ({ from: 'server' as const, text: `HTTP/1.1 200 ${name}\r\nContent-Length: ${body.length}\r\n\r\n${body}` });

/** `reason → uri of the request its request_frame points at` (null: not known) per response, and the requests seen */
async function pairs(file: string): Promise<{ pairs: string[]; requests: string[]; incomplete: string[]; bodies: number[] }> {
  const byFrame = new Map<number, string>();
  const incomplete: string[] = [];
  const responses: { reason: string; request: number | null; body: number }[] = [];
  await scanCapture(file, {
    onObservation: (o: Observation) => {
      if (o.type === 'http') byFrame.set(o.frame, o.uri.split('?')[0]!);
      if (o.type === 'http' && o.incomplete) incomplete.push(o.uri);
      if (o.type === 'http_response') responses.push({ reason: o.reason, request: o.request_frame, body: o.body_bytes });
      if (o.type === 'http_response' && o.incomplete) incomplete.push(`response ${o.reason}`);
    },
  });
  return {
    pairs: responses.map((r) => `${r.reason} → ${r.request === null ? null : (byFrame.get(r.request) ?? `frame ${r.request}`)}`),
    requests: [...byFrame.values()],
    incomplete,
    bodies: responses.map((r) => r.body),
  };
}

describe('responses paired with requests after packet loss (request_frame)', () => {
  const three = [get('one'), ok('one'), get('two'), ok('two'), get('three'), ok('three')];

  it('nothing lost: each response answers its request', async () => {
    expect((await pairs(keepAlive('pair-whole', [], three))).pairs).toEqual(['one → /one', 'two → /two', 'three → /three']);
  });

  it('the whole 2nd response lost: the 3rd response answers the 3rd request, not the 2nd', async () => {
    const r = await pairs(keepAlive('pair-res-lost', [9], three));
    expect(r.requests).toEqual(['/one', '/two', '/three']);
    expect(r.pairs).toEqual(['one → /one', 'three → /three']);
  });

  it('the same, with the ACK of the lost response riding on the next request (its ACK is processed before its data)', async () => {
    // frame 10 is the client's pure ACK of the 2nd response: without it, the 3rd request's segment acknowledges the hole
    expect((await pairs(keepAlive('pair-res-lost-piggyback', [9, 10], three))).pairs).toEqual(['one → /one', 'three → /three']);
  });

  it('part of a response body lost (Content-Length known): pairing unchanged, the body still counted in full', async () => {
    const big = 'b'.repeat(4000); // three segments: frames 9, 10, 12 (11 is the ACK of 9 and 10)
    const r = await pairs(keepAlive('pair-body-hole', [10], [get('one'), ok('one'), get('two'), ok('two', big), get('three'), ok('three')]));
    expect(r.pairs).toEqual(['one → /one', 'two → /two', 'three → /three']);
    expect(r.bodies).toEqual([3, 4000, 5]);
    expect(r.incomplete).toEqual(['response two']);
  });

  it('a lost request: its response is paired with nothing, the next exchange with its request', async () => {
    const r = await pairs(keepAlive('pair-req-lost', [7], three));
    expect(r.requests).toEqual(['/one', '/three']);
    expect(r.pairs).toEqual(['one → /one', 'two → null', 'three → /three']);
  });

  it('a lost request on a pipelining connection: the request after it is not taken for the lost one', async () => {
    // r1 s1, then r2 and r3 back to back (frames 7 and 9); r2 lost. The hole might have held more
    // than one request, so which request the 3rd response answers cannot be told either.
    const r = await pairs(keepAlive('pair-req-lost-pipelined', [7], [get('one'), ok('one'), get('two'), get('three'), ok('two'), ok('three')]));
    expect(r.requests).toEqual(['/one', '/three']);
    expect(r.pairs).toEqual(['one → /one', 'two → null', 'three → null']);
  });

  it('pipelined requests, nothing lost: responses answer them in order', async () => {
    const r = await pairs(keepAlive('pair-pipelined', [], [get('one'), get('two'), get('three'), ok('one'), ok('two'), ok('three')]));
    expect(r.pairs).toEqual(['one → /one', 'two → /two', 'three → /three']);
  });

  it('a lost response on a pipelining connection: the responses after it are paired with nothing (how many were lost is unknown)', async () => {
    // frames 3, 5, 7 the requests (4, 6, 8 ACKs), 9 s1, 11 s2, 13 s3
    const r = await pairs(keepAlive('pair-res-lost-pipelined', [11], [get('one'), get('two'), get('three'), ok('one'), ok('two'), ok('three')]));
    expect(r.pairs).toEqual(['one → /one', 'three → null']);
  });

  it("after a lost response, a HEAD request's response is read as having no body (the framing follows the right request)", async () => {
    const headOk = { from: 'server' as const, text: 'HTTP/1.1 200 three\r\nContent-Length: 1000\r\n\r\n' };
    const r = await pairs(keepAlive('pair-head', [9], [get('one'), ok('one'), get('two'), ok('two'), get('three', 'HEAD'), headOk, get('four'), ok('four')]));
    expect(r.pairs).toEqual(['one → /one', 'three → /three', 'four → /four']);
    expect(r.bodies).toEqual([3, 0, 4]);
  });

  it("the start of the client's stream lost: the request found after it is answered by the response after it", async () => {
    // the POST head lost (frame 3): its response (frame 7) comes before the GET is found
    expect((await pairs(capture('pair-head-lost', [3]))).pairs).toEqual(['OK → /track']);
  });

  it("the start of the client's stream lost on a pipelining connection: the request found after it is not taken for the lost one", async () => {
    // r1 (frame 3, lost) and r2 (frame 5) back to back, then their responses: the server said nothing before r2
    const r = await pairs(keepAlive('pair-start-lost-pipelined', [3], [get('one'), get('two'), ok('one'), ok('two')]));
    expect(r.requests).toEqual(['/two']);
    expect(r.pairs).toEqual(['one → null', 'two → null']);
  });

  it('a hole inside a request head: that request is still answered by the next response, and the exchanges after it too', async () => {
    // a 4,000-byte Cookie: the 2nd request's head takes frames 7, 8 and 10 (9 is the ACK of 7 and 8); frame 8 lost
    const cookie = `Cookie: c=${'k'.repeat(4000)}\r\n`;
    const bigHead = { from: 'client' as const, text: `GET /two HTTP/1.1\r\nHost: api.example.com\r\n${cookie}\r\n` };
    const r = await pairs(keepAlive('pair-req-head-hole', [8], [get('one'), ok('one'), bigHead, ok('two'), get('three'), ok('three')]));
    expect(r.requests).toEqual(['/one', '/two', '/three']);
    expect(r.incomplete).toEqual(['/two']);
    expect(r.pairs).toEqual(['one → /one', 'two → /two', 'three → /three']);
  });

  it('after a lost response, a 100 Continue does not take the place of the final response', async () => {
    const postHead = { from: 'client' as const, text: 'POST /three HTTP/1.1\r\nHost: api.example.com\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n' };
    const r = await pairs(
      keepAlive(
        'pair-continue',
        [9],
        [
          get('one'),
          ok('one'),
          get('two'),
          ok('two'),
          postHead,
          { from: 'server', text: 'HTTP/1.1 100 Continue\r\n\r\n' },
          { from: 'client', text: 'hello' },
          ok('three'),
        ],
      ),
    );
    expect(r.pairs).toEqual(['one → /one', 'three → /three']);
  });
});

describe('a real capture: zeek__1000-requests-one-dropped-response.pcap', () => {
  it('the head of the 1st response was not captured: each of the 999 responses after it answers its own request, as tshark pairs them', async () => {
    const requests: number[] = [];
    const responses: [number, number | null][] = [];
    await scanCapture(corpusFile('zeek__1000-requests-one-dropped-response.pcap'), {
      onObservation: (o: Observation) => {
        if (o.type === 'http') requests.push(o.frame);
        if (o.type === 'http_response') responses.push([o.frame, o.request_frame]);
      },
    });
    expect(requests).toHaveLength(1000);
    expect(responses).toHaveLength(999);
    // tshark -Y http.response -T fields -e frame.number -e http.request_in
    expect(responses.slice(0, 3)).toEqual([
      [13, 9],
      [19, 15],
      [25, 21],
    ]);
    expect(responses.at(-1)).toEqual([4098, 4096]);
    // the client waits for each response: every response answers the last request before it
    const lastBefore = (frame: number) => requests.filter((r) => r < frame).at(-1);
    expect(responses.filter(([frame, req]) => req !== lastBefore(frame))).toEqual([]);
  });
});
