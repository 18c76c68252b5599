/**
 * Test capture generator: the plaintext traffic of a MIUI phone, as issue #21 describes it
 * from public captures of real Xiaomi devices. Every message is built the way its client
 * builds it on the wire (the Sensors Data Android SDK's `crc`/`gzip`/`data_list` form, MIUI's
 * Dalvik User-Agent, the Xiaomi account cookies); the identities are the project's fake device
 * profile (shared/captures/README.md), the addresses documentation ranges.
 *
 *   npm run build && node dist/test-support/xiaomi-phone.js OUT.pcap
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { TrafficBuilder, type Endpoint, type FrameSink } from '../test-support/synth/session.js';
import { writePcapFile } from '../test-support/synth/pcap-file.js';
import { buildDnsQuery, buildDnsResponse } from '../test-support/synth/dns.js';

export const PHONE = {
  ip: '192.168.1.23',
  imei: '864811045123671',
  oaid: '5c9a2b7e1f3d4a68',
  androidId: '3f8a1c2b9d4e5f60',
  model: 'Redmi Note 9 Pro',
  miui: 'V12.0.3.0.QJZMIXM',
  /** MIUI's Dalvik User-Agent: the model without ` Build/` */
  userAgent: 'Dalvik/2.1.0 (Linux; U; Android 10; Redmi Note 9 Pro MIUI/V12.0.3.0.QJZMIXM)',
  cUserId: 'mVk3Q2h1Yk9xR3dQZEhfT0NhY2t6',
  userId: '1234567890',
  serviceToken: 'aGVsbG8tc2VydmljZS10b2tlbi1vZi1hLWZha2UtYWNjb3VudA/kL9Qx2bN8w==',
  latitudeE6: 45464211,
  longitudeE6: 9189982,
  deepLink: 'shopexample://prodotto/12345?colore=rosso',
} as const;

export const SERVERS = {
  resolver: { ip: '192.168.1.1', port: 53 },
  account: { name: 'api.account.xiaomi.com', ip: '203.0.113.10' },
  sensors: { name: 'sa.api.intl.miui.com', ip: '203.0.113.20' },
  misc: { name: 'cdn.example.net', ip: '198.51.100.30' },
} as const;

const enc = new TextEncoder();

export function httpMessage(lines: string[], body: string | Uint8Array = ''): Uint8Array {
  const b = typeof body === 'string' ? enc.encode(body) : body;
  const head = enc.encode(lines.join('\r\n') + '\r\n\r\n');
  const out = new Uint8Array(head.length + b.length);
  out.set(head);
  out.set(b, head.length);
  return out;
}

export function ok(body = '{}'): Uint8Array {
  return httpMessage(['HTTP/1.1 200 OK', 'Content-Type: application/json', `Content-Length: ${enc.encode(body).length}`], body);
}

/** Java's String.hashCode: the Sensors Android SDK's `crc`. */
function javaHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** android.net.Uri.encode: everything but unreserved characters is escaped. */
function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

const hex = (alg: string, s: string) => createHash(alg).update(s).digest('hex');

/** The Sensors Data Android SDK's upload body (sa-sdk-android AnalyticsMessages: crc, gzip=1, data_list). */
export function sensorsAndroidBody(events: unknown[]): string {
  const b64 = Buffer.from(gzipSync(Buffer.from(JSON.stringify(events)))).toString('base64');
  return `crc=${javaHash(b64)}&gzip=1&data_list=${uriEncode(b64)}`;
}

/** A `$AppViewScreen` event as the Android SDK sends it, with GPS, a deep link and hashed ids. */
export function sensorsEvent(): unknown {
  return {
    _track_id: 1493208771,
    time: 1795502135101,
    type: 'track',
    distinct_id: PHONE.androidId,
    anonymous_id: PHONE.androidId,
    lib: { $lib: 'Android', $lib_version: '6.6.9', $app_version: '3.4.1', $lib_method: 'autoTrack' },
    event: '$AppViewScreen',
    properties: {
      $lib: 'Android',
      $lib_version: '6.6.9',
      $os: 'Android',
      $os_version: '10',
      $manufacturer: 'Xiaomi',
      $model: PHONE.model,
      $device_id: PHONE.androidId,
      $latitude: PHONE.latitudeE6,
      $longitude: PHONE.longitudeE6,
      $url: PHONE.deepLink,
      $screen_name: 'com.shopexample.app.ProductActivity',
      imei_md5: hex('md5', PHONE.imei),
      oaid_sha1: hex('sha1', PHONE.oaid),
    },
  };
}

/** A DNS lookup answered with one address. */
function lookup(t: TrafficBuilder, port: number, id: number, name: string, ip: string): void {
  t.udpExchange({ ip: PHONE.ip, port }, SERVERS.resolver, [
    { from: 'client', data: buildDnsQuery(id, name) },
    { from: 'server', data: buildDnsResponse(id, name, 'A', [{ name, type: 'A', data: ip }]) },
  ]);
}

/**
 * The phone's conversations, in order: the account lookup with its cookies, a Sensors Data
 * upload, and two requests with methods outside the registered list (`OPTIONS *` and an
 * unregistered token), as real clients send them.
 */
export function generateXiaomiPhone(sink: FrameSink, startSec = 1_795_500_000): void {
  const t = new TrafficBuilder(sink, startSec);
  let port = 40_000;
  const server = (s: { ip: string }, p = 80): Endpoint => ({ ip: s.ip, port: p });

  lookup(t, port++, 0x1a01, SERVERS.account.name, SERVERS.account.ip);
  t.tcpConnection({ ip: PHONE.ip, port: port++ }, server(SERVERS.account), [
    {
      from: 'client',
      data: httpMessage([
        'GET /pass/serviceLogin?sid=passport&_json=true HTTP/1.1',
        `Host: ${SERVERS.account.name}`,
        `User-Agent: ${PHONE.userAgent}`,
        `Cookie: cUserId=${PHONE.cUserId}; serviceToken=${PHONE.serviceToken}; userId=${PHONE.userId}; sdkVersion=accountsdk-18.8.15`,
        'Accept-Encoding: gzip',
      ]),
    },
    { from: 'server', data: ok('&&&START&&&{"code":0}') },
  ]);

  lookup(t, port++, 0x1a02, SERVERS.sensors.name, SERVERS.sensors.ip);
  const body = sensorsAndroidBody([sensorsEvent()]);
  t.tcpConnection({ ip: PHONE.ip, port: port++ }, server(SERVERS.sensors), [
    {
      from: 'client',
      data: httpMessage(
        [
          'POST /sa?project=global_browser_mini&r=IT HTTP/1.1',
          'Content-Type: application/x-www-form-urlencoded',
          `User-Agent: ${PHONE.userAgent}`,
          `Host: ${SERVERS.sensors.name}`,
          `Content-Length: ${body.length}`,
        ],
        body,
      ),
    },
    { from: 'server', data: ok() },
  ]);

  // any method token is a request (RFC 9110 §9.1): an unregistered method opening its connection,
  // and OPTIONS with the asterisk form
  t.tcpConnection({ ip: PHONE.ip, port: port++ }, server(SERVERS.misc), [
    {
      from: 'client',
      data: httpMessage(['MIREPORT /v1/health?device=redmi HTTP/1.1', `Host: ${SERVERS.misc.name}`, `User-Agent: ${PHONE.userAgent}`, 'Content-Length: 0']),
    },
    { from: 'server', data: httpMessage(['HTTP/1.1 204 No Content']) },
  ]);
  t.tcpConnection({ ip: PHONE.ip, port: port++ }, server(SERVERS.misc), [
    { from: 'client', data: httpMessage(['OPTIONS * HTTP/1.1', `Host: ${SERVERS.misc.name}`, `User-Agent: ${PHONE.userAgent}`]) },
    { from: 'server', data: httpMessage(['HTTP/1.1 200 OK', 'Allow: GET, HEAD, OPTIONS', 'Content-Length: 0']) },
  ]);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/.*\//, ''))) {
  const out = process.argv[2];
  if (!out) {
    process.stderr.write('usage: xiaomi-phone OUT.pcap\n');
    process.exit(2);
  }
  const r = await writePcapFile(out, (sink) => generateXiaomiPhone(sink));
  process.stdout.write(`wrote ${out}: ${r.frames} frames, ${r.bytes} bytes\n`);
}
