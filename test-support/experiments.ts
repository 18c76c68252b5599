/**
 * Captures made for experiments, with what they carry declared beside them, so tests compare a
 * report with what was put in rather than with a copied answer:
 * - two firmware profiles of the same phone (A and B): B drops a host, adds one, and changes
 *   what a common host is sent; `diff A B` must show exactly those differences;
 * - requests at known offsets from the capture's start, for `--window`;
 * - a hostile capture whose hosts, SNI and URLs carry `<script>` and `"`, for the HTML report.
 *
 * Every request is an HTTP GET whose query keys are leak kinds' own names, with no User-Agent, so
 * the findings a request should produce are exactly its parameters (kind = key).
 */
import { buildAppDataRecord, buildClientHelloRecord, buildServerHelloRecord } from './synth/tls.js';
import { buildDnsQuery, buildDnsResponse } from './synth/dns.js';
import { TrafficBuilder, type FrameSink } from './synth/session.js';
import { writePcapFile } from './synth/pcap-file.js';

export interface ProfileRequest {
  host: string;
  ip: string;
  /** seconds after the capture's first packet (the DNS query that opens it) */
  at: number;
  /** query parameters: [leak kind, value] */
  params: [string, string][];
}

export interface Profile {
  name: string;
  requests: ProfileRequest[];
}

const DEVICE = {
  imei: '864811045123671',
  android_id: '3f8a1c2b9d4e5f60',
  device_model: 'Redmi Note 8 Pro',
};
const START_SEC = 1_588_327_200; // 2020-05-01T10:00:00Z

/** Firmware A: the tracker sends the IMEI and the model; the ad host the Android ID; the stat host the search. */
export const FIRMWARE_A: Profile = {
  name: 'firmware-a',
  requests: [
    {
      host: 'tracking.intl.miui.com',
      ip: '161.117.2.20',
      at: 0.5,
      params: [
        ['imei', DEVICE.imei],
        ['device_model', DEVICE.device_model],
      ],
    },
    { host: 'api.ad.intl.xiaomi.com', ip: '185.218.176.10', at: 10, params: [['android_id', DEVICE.android_id]] },
    { host: 'sa.api.intl.miui.com', ip: '161.117.71.74', at: 20, params: [['search_query', 'weather']] },
    { host: 'tracking.intl.miui.com', ip: '161.117.2.20', at: 30, params: [['imei', DEVICE.imei]] },
  ],
};

/**
 * Firmware B: the ad host is gone, a new host gets the IMEI, the tracker no longer gets the
 * model but now gets the Android ID, and the stat host gets a search in incognito mode.
 */
export const FIRMWARE_B: Profile = {
  name: 'firmware-b',
  requests: [
    {
      host: 'tracking.intl.miui.com',
      ip: '161.117.2.20',
      at: 0.5,
      params: [
        ['imei', DEVICE.imei],
        ['android_id', DEVICE.android_id],
      ],
    },
    {
      host: 'sa.api.intl.miui.com',
      ip: '161.117.71.74',
      at: 12,
      params: [
        ['search_query', 'weather'],
        ['incognito', 'true'],
      ],
    },
    { host: 'sdkconfig.ad.intl.xiaomi.com', ip: '161.117.96.165', at: 25, params: [['imei', DEVICE.imei]] },
    { host: 'tracking.intl.miui.com', ip: '161.117.2.20', at: 40, params: [['imei', DEVICE.imei]] },
  ],
};

/** host → the set of `kind\0value` the profile's requests send it. */
export function declaredLeaks(p: Profile): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const r of p.requests) {
    let s = out.get(r.host);
    if (!s) out.set(r.host, (s = new Set()));
    for (const [k, v] of r.params) s.add(`${k}\u0000${v}`);
  }
  return out;
}

const enc = new TextEncoder();

/** Writes the profile's requests, each after a DNS lookup, at their offsets. */
export function generateProfile(sink: FrameSink, p: Profile): void {
  let now = { sec: START_SEC, nsec: 0 };
  const clock: FrameSink = {
    write(sec, nsec, frame) {
      now = { sec, nsec };
      sink.write(sec, nsec, frame);
    },
  };
  const t = new TrafficBuilder(clock, START_SEC, 200_000);
  const phone = '192.168.1.23';
  let port = 40100;
  let dnsId = 0x3100;
  // the capture's first packet, a lookup of the time server: offsets count from it
  t.udpExchange({ ip: phone, port: port++ }, { ip: '192.168.1.1', port: 53 }, [{ from: 'client', data: buildDnsQuery(dnsId++, 'time.android.com', 'A') }]);
  const first = { sec: START_SEC, nsec: 200_000 };
  for (const r of [...p.requests].sort((a, b) => a.at - b.at)) {
    const target = (first.sec - now.sec + r.at) * 1e9 + (first.nsec - now.nsec);
    // the request itself goes out a few frames after this point (DNS, handshake)
    if (target > 0) t.advance(Math.round(target) - 2_000_000);
    const id = dnsId++;
    t.udpExchange({ ip: phone, port: port++ }, { ip: '192.168.1.1', port: 53 }, [
      { from: 'client', data: buildDnsQuery(id, r.host, 'A') },
      { from: 'server', data: buildDnsResponse(id, r.host, 'A', [{ name: r.host, type: 'A', data: r.ip }]) },
    ]);
    const query = r.params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
    t.tcpConnection({ ip: phone, port: port++ }, { ip: r.ip, port: 80 }, [
      { from: 'client', data: enc.encode(`GET /collect?${query} HTTP/1.1\r\nHost: ${r.host}\r\n\r\n`) },
      { from: 'server', data: enc.encode('HTTP/1.1 204 No Content\r\n\r\n') },
    ]);
  }
}

export function writeProfileCapture(file: string, p: Profile): Promise<{ bytes: number; frames: number }> {
  return writePcapFile(file, (sink) => generateProfile(sink, p));
}

/** Text that would become markup if a report did not escape it. */
export const HOSTILE = {
  httpHost: `"><script>window.__pwned=1</script>.tracking.intl.miui.com`,
  sni: `"><img src=x onerror="window.__pwned=2">.data.mistat.intl.xiaomi.com`,
  search: `<script>window.__pwned=3</script>"'`,
  url: `https://example.com/"><svg/onload=window.__pwned=4>`,
} as const;

/** A capture whose Host header, SNI, search query and URL carry the HOSTILE strings. */
export function generateHostile(sink: FrameSink): void {
  const t = new TrafficBuilder(sink, START_SEC, 100_000);
  const phone = '192.168.1.23';
  // raw bytes on the wire: the request line cannot hold a space, the rest is as hostile as it gets
  const query = `q=${HOSTILE.search.replace(/ /g, '%20')}&url=${HOSTILE.url}&imei=${DEVICE.imei}`;
  t.tcpConnection({ ip: phone, port: 40200 }, { ip: '161.117.2.20', port: 80 }, [
    { from: 'client', data: enc.encode(`GET /track?${query} HTTP/1.1\r\nHost: ${HOSTILE.httpHost}\r\nUser-Agent: <b>"ua"</b>\r\n\r\n`) },
    { from: 'server', data: enc.encode('HTTP/1.1 204 No Content\r\n\r\n') },
  ]);
  t.tcpConnection({ ip: phone, port: 40201 }, { ip: '161.117.96.165', port: 443 }, [
    { from: 'client', data: buildClientHelloRecord({ serverName: HOSTILE.sni, alpn: ['http/1.1'], seed: 9 }) },
    { from: 'server', data: buildServerHelloRecord('1.3', 9) },
    { from: 'client', data: buildAppDataRecord(300, 10) },
  ]);
}

export function writeHostileCapture(file: string): Promise<{ bytes: number; frames: number }> {
  return writePcapFile(file, (sink) => generateHostile(sink));
}
