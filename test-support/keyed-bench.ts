/**
 * The keyed benchmark capture: the benchmark's phone traffic (test-support/synth/bench-capture.ts, the
 * same mix per round: DNS, a download, telemetry with two requests, a second download) with
 * every connection TLS and decryptable from a key log the generator writes beside it — TLS 1.3
 * and TLS 1.2 connections carrying HTTP/2 and HTTP/1.1: telemetry to Xiaomi and Sensors Data
 * hosts (base64 / gzip bodies, ids in headers), downloads from benign hosts; some segments
 * reordered or retransmitted. Deterministic: the same bytes on every run.
 *
 * usage (after `npm run build`): node dist/test-support/synth/bench-capture.js OUT.pcap SIZE_MB --keyed
 * writes OUT.pcap and OUT.keys.
 */
import { gzipSync } from 'node:zlib';
import { buildDnsQuery, buildDnsResponse } from './synth/dns.js';
import { TrafficBuilder, type FrameSink } from './synth/session.js';
import { data, headers, HTTP2_PREFACE, settings } from './http2-frames.js';
import { concat, keyedSession, type KeyedMessage, type TlsVersion } from './keyed-tls.js';
import { BENIGN_HOSTS, Rng, VENDOR_HOSTS } from './synth/bench-mix.js';

const UA = 'Mozilla/5.0 (Linux; U; Android 10; Redmi Note 8 Pro) XiaoMi/MiuiBrowser/12.1.4-g';

const enc = new TextEncoder();

/** a telemetry POST body and path, as the plaintext benchmark sends them */
function telemetry(n: number): { path: string; body: Uint8Array } {
  const event = {
    event: 'page_view',
    url: `https://www.example.com/articles/${n}?ref=feed`,
    title: `Article ${n}`,
    incognito: n % 3 === 0,
    imei: '864811045123671',
    android_id: '3f8a1c2b9d4e5f60',
    model: 'Redmi Note 8 Pro',
    os_version: 'Android 10',
    seq: n,
  };
  const body =
    n % 2 === 0
      ? `data=${encodeURIComponent(Buffer.from(JSON.stringify(event)).toString('base64'))}`
      : `data_list=${encodeURIComponent(gzipSync(JSON.stringify([event])).toString('base64'))}&gzip=1`;
  return { path: n % 2 === 0 ? '/track/v4' : '/sa?project=global_browser', body: enc.encode(body) };
}

function http1Post(host: string, n: number): Uint8Array {
  const { path, body } = telemetry(n);
  const head = enc.encode(
    `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: ${UA}\r\n` +
      `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n`,
  );
  return concat([head, body]);
}

function http1Get(host: string, n: number): Uint8Array {
  return enc.encode(`GET /static/${n}.js HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: ${UA}\r\nAccept: */*\r\n\r\n`);
}

function http1Ok(body: Uint8Array): Uint8Array {
  return concat([enc.encode(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`), body]);
}

/** HTTP/2 telemetry: `count` POSTs on streams 1, 3, … with ids in headers, each answered with 200 */
function h2Telemetry(host: string, n: number, count: number): KeyedMessage[] {
  const client: Uint8Array[] = [
    HTTP2_PREFACE,
    settings([
      [1, 65536],
      [4, 6291456],
    ]),
  ];
  const server: Uint8Array[] = [
    settings([
      [3, 100],
      [4, 1048576],
    ]),
    settings(),
  ];
  for (let i = 0; i < count; i++) {
    const stream = 1 + i * 2;
    const { path, body } = telemetry(n + i);
    client.push(
      ...headers(
        stream,
        [
          [':method', 'POST'],
          [':scheme', 'https'],
          [':authority', host],
          [':path', path],
          ['user-agent', UA],
          ['content-type', 'application/x-www-form-urlencoded'],
          ['x-mi-imei', '864811045123671'],
          ['x-mi-android-id', '3f8a1c2b9d4e5f60'],
          ['content-length', String(body.length)],
        ],
        false,
      ),
      ...data(stream, body, true),
    );
    server.push(
      ...headers(
        stream,
        [
          [':status', '200'],
          ['content-type', 'application/json'],
        ],
        false,
      ),
      ...data(stream, enc.encode('{"code":0}'), true),
    );
  }
  return [
    { from: 'client', data: concat(client) },
    { from: 'server', data: concat(server) },
  ];
}

/** an HTTP/2 GET answered with `body` in DATA frames */
function h2Download(host: string, n: number, body: Uint8Array): KeyedMessage[] {
  return [
    {
      from: 'client',
      data: concat([
        HTTP2_PREFACE,
        settings(),
        ...headers(
          1,
          [
            [':method', 'GET'],
            [':scheme', 'https'],
            [':authority', host],
            [':path', `/static/${n}.js`],
            ['user-agent', UA],
            ['accept', '*/*'],
          ],
          true,
        ),
      ]),
    },
    {
      from: 'server',
      data: concat([
        settings(),
        settings(),
        ...headers(
          1,
          [
            [':status', '200'],
            ['content-type', 'application/javascript'],
          ],
          false,
        ),
        ...data(1, body, true),
      ]),
    },
  ];
}

/** Writes conversations into `sink` until `targetBytes` of frames were written; key log lines go to `keyLog`. */
export function generateKeyedBenchTraffic(sink: FrameSink & { bytes: number }, targetBytes: number, keyLog: string[]): void {
  const rng = new Rng(0x6b65796c);
  const bulk = new Uint8Array(256 * 1024);
  for (let i = 0; i < bulk.length; i++) bulk[i] = rng.next() & 0xff;
  const t = new TrafficBuilder(sink, 1_767_225_600); // 2026-01-01T00:00:00Z
  const phone = '192.168.1.23';
  const resolver = { ip: '192.168.1.1', port: 53 };
  let n = 0;
  const tls = (version: TlsVersion, serverName: string, alpn: string, exchange: KeyedMessage[]): KeyedMessage[] => {
    const s = keyedSession({ version, serverName, alpn, seed: ++n * 7919, exchange });
    keyLog.push(...s.keyLog);
    return s.messages;
  };
  let round = 0;
  while (sink.bytes < targetBytes) {
    round++;
    const vendor = VENDOR_HOSTS[round % VENDOR_HOSTS.length]!;
    const benign = BENIGN_HOSTS[round % BENIGN_HOSTS.length]!;
    const serverIp = `203.0.113.${1 + (round % 200)}`;
    const port = (): number => 20000 + rng.below(40000);

    const id = round & 0xffff;
    t.udpExchange({ ip: phone, port: port() }, resolver, [
      { from: 'client', data: buildDnsQuery(id, vendor, 'A') },
      { from: 'server', data: buildDnsResponse(id, vendor, 'A', [{ name: vendor, type: 'A', data: serverIp }]) },
    ]);

    // the plain benchmark's mix (test-support/synth/bench-capture.ts), every connection encrypted: a
    // download from a benign host, telemetry with two requests, a second download
    const download = bulk.subarray(0, 16_384 + rng.below(200_000));
    t.tcpConnection(
      { ip: phone, port: port() },
      { ip: `198.51.100.${1 + (round % 200)}`, port: 443 },
      round % 4 === 0
        ? tls('1.2', benign, 'http/1.1', [
            { from: 'client', data: http1Get(benign, round) },
            { from: 'server', data: http1Ok(download) },
          ])
        : tls('1.3', benign, 'h2', h2Download(benign, round, download)),
      { reorder: round % 5 === 0, retransmit: round % 7 === 0 },
    );

    // telemetry to a vendor host, two requests on one connection: HTTP/2 over TLS 1.3, or
    // (every other round) HTTP/1.1 keep-alive over TLS 1.2 (every sixth round over TLS 1.3)
    t.tcpConnection(
      { ip: phone, port: port() },
      { ip: serverIp, port: 443 },
      round % 2 === 0
        ? tls(round % 6 === 0 ? '1.3' : '1.2', vendor, 'http/1.1', [
            { from: 'client', data: http1Post(vendor, round) },
            { from: 'server', data: http1Ok(enc.encode('{"code":0}')) },
            { from: 'client', data: http1Post(vendor, round + 1) },
            { from: 'server', data: http1Ok(enc.encode('{"code":0}')) },
          ])
        : tls('1.3', vendor, 'h2', h2Telemetry(vendor, round, 2)),
      { retransmit: round % 11 === 0 },
    );

    // a second download from a benign host, HTTP/2 over TLS 1.3
    t.tcpConnection(
      { ip: phone, port: port() },
      { ip: `192.0.2.${1 + (round % 200)}`, port: 443 },
      tls('1.3', benign, 'h2', h2Download(benign, round + 1, bulk.subarray(0, 8_192 + rng.below(120_000)))),
      { reorder: round % 3 === 0 },
    );
    t.advance(20_000_000);
  }
}
