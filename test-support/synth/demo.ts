/**
 * The README's demo capture (fixtures/captures/mi_browser_demo.pcap): a phone on a home
 * network browsing in incognito mode while its browser reports to Xiaomi and Sensors Data
 * endpoints — the 2020 finding in miniature. Server addresses are in the ranges those hosts
 * resolved to (Alibaba Cloud in Singapore and Russia) so the report shows real geolocation.
 * The payload shapes follow the public descriptions; the identifiers are the invented ones of
 * the shared device profile.
 *
 * usage: node dist/test-support/synth/demo.js OUT.pcap
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { buildAppDataRecord, buildClientHelloRecord, buildServerHelloRecord } from './tls.js';
import { buildDnsQuery, buildDnsResponse } from './dns.js';
import { TrafficBuilder, type Endpoint, type FrameSink } from './session.js';
import { writePcapFile } from './pcap-file.js';

export const DEMO_DEVICE = {
  imei: '864811045123671',
  androidId: '3f8a1c2b9d4e5f60',
  oaid: '5c9a2b7e1f3d4a68',
  model: 'Redmi Note 8 Pro',
  osVersion: 'Android 10',
  miuiVersion: 'V12.0.3.0.QGGMIXM',
  userAgent:
    'Mozilla/5.0 (Linux; U; Android 10; en-us; Redmi Note 8 Pro Build/QP1A.190711.020) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/71.0.3578.141 Mobile Safari/537.36 XiaoMi/MiuiBrowser/12.1.4-g',
};

export const DEMO_HOSTS = {
  'tracking.intl.miui.com': '161.117.2.20',
  'data.mistat.intl.xiaomi.com': '161.117.96.165',
  'sa.api.intl.miui.com': '161.117.71.74',
  'api.ad.intl.xiaomi.com': '185.218.176.10',
  'www.google.com': '142.250.74.36',
} as const;

const enc = new TextEncoder();

function http(lines: string[], body = ''): Uint8Array {
  return enc.encode(lines.join('\r\n') + '\r\n\r\n' + body);
}

function ok(body: string): Uint8Array {
  return http(['HTTP/1.1 200 OK', 'Content-Type: application/json', `Content-Length: ${body.length}`], body);
}

export function generateDemo(sink: FrameSink): void {
  const t = new TrafficBuilder(sink, 1_588_327_200, 180_000); // 2020-05-01T10:00:00Z
  const phone = '192.168.1.23';
  const resolver: Endpoint = { ip: '192.168.1.1', port: 53 };
  let port = 41200;
  let dnsId = 0x2a10;
  const lookup = (name: keyof typeof DEMO_HOSTS) => {
    const id = dnsId++;
    t.udpExchange({ ip: phone, port: port++ }, resolver, [
      { from: 'client', data: buildDnsQuery(id, name, 'A') },
      { from: 'server', data: buildDnsResponse(id, name, 'A', [{ name, type: 'A', data: DEMO_HOSTS[name] }]) },
    ]);
  };
  const server = (name: keyof typeof DEMO_HOSTS, p: number): Endpoint => ({ ip: DEMO_HOSTS[name], port: p });

  // 1. an incognito search on Google: over TLS, nothing visible but the name
  lookup('www.google.com');
  t.tcpConnection({ ip: phone, port: port++ }, server('www.google.com', 443), [
    { from: 'client', data: buildClientHelloRecord({ serverName: 'www.google.com', alpn: ['h2', 'http/1.1'], seed: 1 }) },
    { from: 'server', data: buildServerHelloRecord('1.3', 1) },
    { from: 'client', data: buildAppDataRecord(620, 2) },
    { from: 'server', data: buildAppDataRecord(4800, 3) },
  ]);

  // 2. Mi Browser reports the visited URL, the search and the incognito flag: base64 "encryption"
  lookup('tracking.intl.miui.com');
  const report = {
    event: 'browser_page_view',
    url: 'https://www.google.com/search?q=porno&safe=off',
    title: 'porno - Google Search',
    incognito: true,
    imei: DEMO_DEVICE.imei,
    android_id: DEMO_DEVICE.androidId,
    oaid: DEMO_DEVICE.oaid,
    model: DEMO_DEVICE.model,
    os_version: DEMO_DEVICE.osVersion,
    miui_version: DEMO_DEVICE.miuiVersion,
  };
  const form = `data=${encodeURIComponent(Buffer.from(JSON.stringify(report)).toString('base64'))}`;
  t.tcpConnection({ ip: phone, port: port++ }, server('tracking.intl.miui.com', 80), [
    {
      from: 'client',
      data: http(
        [
          'POST /track/v4 HTTP/1.1',
          'Host: tracking.intl.miui.com',
          `User-Agent: ${DEMO_DEVICE.userAgent}`,
          'Content-Type: application/x-www-form-urlencoded',
          `Content-Length: ${form.length}`,
        ],
        form,
      ),
    },
    { from: 'server', data: ok('{"code":0}') },
  ]);

  // 3. the ad SDK asks for a splash screen with a hashed IMEI and the page the user was on
  lookup('api.ad.intl.xiaomi.com');
  const md5 = createHash('md5').update(DEMO_DEVICE.imei).digest('hex');
  const query = `imei_md5=${md5}&androidId=${DEMO_DEVICE.androidId}&model=${encodeURIComponent(DEMO_DEVICE.model)}&os=10&ref=${encodeURIComponent('https://www.google.com/search?q=porno&safe=off')}`;
  t.tcpConnection({ ip: phone, port: port++ }, server('api.ad.intl.xiaomi.com', 80), [
    { from: 'client', data: http([`GET /getSplashScreenAds?${query} HTTP/1.1`, 'Host: api.ad.intl.xiaomi.com', `User-Agent: ${DEMO_DEVICE.userAgent}`]) },
    { from: 'server', data: ok('{"ads":[]}') },
  ]);

  // 4. a Sensors Data batch (the Android SDK's wire format): data_list=base64(gzip(JSON))
  lookup('sa.api.intl.miui.com');
  const events = [
    {
      type: 'track',
      event: '$AppViewScreen',
      distinct_id: DEMO_DEVICE.androidId,
      time: 1_588_327_205_000,
      properties: {
        $screen_name: 'com.android.browser/.BrowserActivity',
        $title: 'Browser',
        $url: 'https://www.google.com/search?q=porno&safe=off',
        $model: DEMO_DEVICE.model,
        $manufacturer: 'Xiaomi',
        $os: 'Android',
        $os_version: '10',
        $device_id: DEMO_DEVICE.androidId,
        $app_version: '12.1.4-g',
        incognito_mode: true,
      },
    },
  ];
  const dataList = gzipSync(JSON.stringify(events)).toString('base64');
  const body = `crc=${javaHash(dataList)}&gzip=1&data_list=${encodeURIComponent(dataList)}`;
  t.tcpConnection({ ip: phone, port: port++ }, server('sa.api.intl.miui.com', 80), [
    {
      from: 'client',
      data: http(
        [
          'POST /sa?project=global_browser HTTP/1.1',
          'Host: sa.api.intl.miui.com',
          'User-Agent: SensorsAnalytics Android SDK',
          'Content-Type: application/x-www-form-urlencoded',
          `Content-Length: ${body.length}`,
        ],
        body,
      ),
    },
    { from: 'server', data: ok('{"code":0}') },
  ]);

  // 5. MiStat over TLS 1.2: the name and the volume are visible, the content is not
  lookup('data.mistat.intl.xiaomi.com');
  t.tcpConnection({ ip: phone, port: port++ }, server('data.mistat.intl.xiaomi.com', 443), [
    { from: 'client', data: buildClientHelloRecord({ serverName: 'data.mistat.intl.xiaomi.com', alpn: ['http/1.1'], tls13: false, seed: 5 }) },
    { from: 'server', data: buildServerHelloRecord('1.2', 5) },
    { from: 'client', data: buildAppDataRecord(2300, 6) },
    { from: 'server', data: buildAppDataRecord(310, 7) },
  ]);
}

/** Java's String.hashCode, the Sensors Android SDK's `crc` field. */
function javaHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/.*\//, ''))) {
  const out = process.argv[2];
  if (!out) {
    process.stderr.write('usage: demo OUT.pcap\n');
    process.exit(2);
  }
  const r = await writePcapFile(out, (sink) => generateDemo(sink));
  process.stdout.write(`wrote ${out}: ${r.frames} frames, ${r.bytes} bytes\n`);
}
