/**
 * The benchmark capture: deterministic traffic of a phone at MTU 1500 — DNS lookups, TLS
 * connections with browser-like ClientHellos (some split over two segments), plaintext HTTP
 * telemetry with base64/gzip bodies to Xiaomi and Sensors Data hosts, bulk downloads, and some
 * reordered and retransmitted segments — repeated until the file reaches the size asked for.
 *
 * With --keyed, the traffic of test-support/keyed-bench.ts instead: every TLS connection (1.3 and
 * 1.2, HTTP/2 and HTTP/1.1 inside) decrypts with the key log written beside it as OUT.keys.
 *
 * usage: node dist/test-support/synth/bench-capture.js OUT.pcap [SIZE_MB=400] [--keyed]
 */
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { buildAppDataRecord, buildClientHelloRecord, buildServerHelloRecord } from './tls.js';
import { buildDnsQuery, buildDnsResponse } from './dns.js';
import { TrafficBuilder, type FrameSink } from './session.js';
import { BENIGN_HOSTS, Rng, VENDOR_HOSTS } from './bench-mix.js';
import { writePcapFile } from './pcap-file.js';
import { generateKeyedBenchTraffic } from '../keyed-bench.js';

const enc = new TextEncoder();

function telemetryRequest(host: string, n: number): Uint8Array {
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
  const path = n % 2 === 0 ? '/track/v4' : '/sa?project=global_browser';
  return enc.encode(
    `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: Mozilla/5.0 (Linux; U; Android 10; Redmi Note 8 Pro) XiaoMi/MiuiBrowser/12.1.4-g\r\n` +
      `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n${body}`,
  );
}

function httpGet(host: string, n: number): Uint8Array {
  return enc.encode(`GET /static/${n}.js HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: Mozilla/5.0\r\nAccept: */*\r\n\r\n`);
}

function httpResponse(body: Uint8Array): Uint8Array {
  const head = enc.encode(`HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${body.length}\r\n\r\n`);
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

/** Writes conversations into `sink` until `targetBytes` of frames were written. */
export function generateBenchTraffic(sink: FrameSink & { bytes: number }, targetBytes: number): void {
  const rng = new Rng(0x5eed1234);
  const bulk = new Uint8Array(256 * 1024);
  for (let i = 0; i < bulk.length; i++) bulk[i] = rng.next() & 0xff;
  const t = new TrafficBuilder(sink, 1_767_225_600); // 2026-01-01T00:00:00Z
  const phone = '192.168.1.23';
  const resolver = { ip: '192.168.1.1', port: 53 };
  let n = 0;
  while (sink.bytes < targetBytes) {
    n++;
    const vendor = VENDOR_HOSTS[n % VENDOR_HOSTS.length];
    const benign = BENIGN_HOSTS[n % BENIGN_HOSTS.length];
    const serverIp = `203.0.113.${1 + (n % 200)}`;
    const port = () => 20000 + rng.below(40000);

    // a DNS lookup for each host contacted
    const id = n & 0xffff;
    t.udpExchange({ ip: phone, port: port() }, resolver, [
      { from: 'client', data: buildDnsQuery(id, vendor, 'A') },
      { from: 'server', data: buildDnsResponse(id, vendor, 'A', [{ name: vendor, type: 'A', data: serverIp }]) },
    ]);

    // TLS to a benign host: a post-quantum ClientHello (two segments), a bulk download
    const download = bulk.subarray(0, 16_384 + rng.below(200_000));
    const records: Uint8Array[] = [buildServerHelloRecord(n % 4 === 0 ? '1.2' : '1.3', n)];
    for (let off = 0; off < download.length; off += 16_384) records.push(buildAppDataRecord(Math.min(16_384, download.length - off), n + off));
    t.tcpConnection(
      { ip: phone, port: port() },
      { ip: `198.51.100.${1 + (n % 200)}`, port: 443 },
      [
        { from: 'client', data: buildClientHelloRecord({ serverName: benign, alpn: ['h2', 'http/1.1'], postQuantum: n % 2 === 0, echGrease: true, seed: n }) },
        { from: 'server', data: concat(records) },
        { from: 'client', data: buildAppDataRecord(200 + rng.below(800), n) },
      ],
      { reorder: n % 5 === 0, retransmit: n % 7 === 0 },
    );

    // plaintext telemetry to a vendor host, keep-alive with two requests
    t.tcpConnection(
      { ip: phone, port: port() },
      { ip: serverIp, port: 80 },
      [
        { from: 'client', data: telemetryRequest(vendor, n) },
        { from: 'server', data: httpResponse(enc.encode('{"code":0}')) },
        { from: 'client', data: telemetryRequest(vendor, n + 1) },
        { from: 'server', data: httpResponse(enc.encode('{"code":0}')) },
      ],
      { retransmit: n % 11 === 0 },
    );

    // a plain HTTP download from a benign host
    t.tcpConnection(
      { ip: phone, port: port() },
      { ip: `192.0.2.${1 + (n % 200)}`, port: 80 },
      [
        { from: 'client', data: httpGet(benign, n) },
        { from: 'server', data: httpResponse(bulk.subarray(0, 8_192 + rng.below(120_000))) },
      ],
      { reorder: n % 3 === 0 },
    );
    t.advance(20_000_000);
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/.*\//, ''))) {
  const args = process.argv.slice(2).filter((a) => a !== '--keyed');
  const keyed = args.length < process.argv.length - 2;
  const out = args[0];
  const sizeMb = Number(args[1] ?? '400');
  if (!out) {
    process.stderr.write('usage: bench-capture OUT.pcap [SIZE_MB] [--keyed]\n');
    process.exit(2);
  }
  if (keyed) {
    const keyLog: string[] = [];
    await writePcapFile(out, (sink) => generateKeyedBenchTraffic(sink, sizeMb * 1e6, keyLog));
    writeFileSync(out.replace(/\.pcap$/, '') + '.keys', keyLog.join('\n') + '\n');
  } else {
    await writePcapFile(out, (sink) => generateBenchTraffic(sink, sizeMb * 1e6));
  }
}
