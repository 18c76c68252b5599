/**
 * PCAPdroid's per-packet trailer (test-support/pcapdroid.ts writes it as PCAPdroid does): read
 * wherever present, each flow and host attributed to its app, and the trailer never disturbs
 * decoding: the capture with trailers gives exactly the observations of the same traffic without.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../src/engine/analyze.js';
import { scanCapture } from '../../src/engine/scan.js';
import { captureInfo } from '../../src/engine/info.js';
import { streamRecord, type StreamRecord } from '../../src/engine/streams.js';
import { findPcapdroidTrailer } from '../../src/decode/pcapdroid.js';
import { PcapFileSink, writePcapFile } from '../../test-support/synth/pcap-file.js';
import { generateXiaomiPhone, PHONE, SERVERS } from '../../test-support/xiaomi-phone.js';
import { PcapdroidPcapngSink, PcapdroidSink, pcapdroidFrame, type PcapdroidApp, type PcapdroidPcapngApp } from '../../test-support/pcapdroid.js';
import { writeFileSync } from 'node:fs';
import { concatBytes } from '../../src/capture/writer.js';
import { ethernet, ipv4, tcp, ETHERTYPE, IP_PROTO } from '../../test-support/synth/packets.js';

const work = mkdtempSync(path.join(tmpdir(), 'leakscope-pcapdroid-'));
const plain = path.join(work, 'plain.pcap');
const droid = path.join(work, 'pcapdroid.pcap');
afterAll(() => rmSync(work, { recursive: true, force: true }));

const ACCOUNT: PcapdroidApp = { uid: 10071, name: 'Xiaomi Account' };
const BROWSER: PcapdroidApp = { uid: 10112, name: 'Mi Browser' };
const UNKNOWN: PcapdroidApp = { uid: -1, name: '' };
// the phone-side ports test-support/xiaomi-phone.ts uses, in order: DNS, account, DNS, Sensors, MIREPORT, OPTIONS (no trailer)
const APPS = new Map<number, PcapdroidApp>([
  [40000, ACCOUNT],
  [40001, ACCOUNT],
  [40002, BROWSER],
  [40003, BROWSER],
  [40004, UNKNOWN],
]);

async function scan(file: string) {
  const obs: unknown[] = [];
  const streams: StreamRecord[] = [];
  await scanCapture(file, {
    onObservation: (o) => obs.push({ ...o, file: undefined }),
    onFlowClose: (f, extra) => streams.push(streamRecord('x', f, extra)),
  });
  return { obs, streams };
}

beforeAll(async () => {
  await writePcapFile(plain, (sink) => generateXiaomiPhone(sink));
  await writePcapFile(droid, (sink) => generateXiaomiPhone(new PcapdroidSink(sink, PHONE.ip, APPS)));
});

describe('PCAPdroid trailer', () => {
  it('is cut off before decoding: the same observations as without trailers', async () => {
    const a = await scan(plain);
    const b = await scan(droid);
    expect(a.obs.length).toBe(10); // 2 DNS, 4 requests, 4 responses
    expect(b.obs.map((o) => ({ ...(o as object), app: undefined }))).toEqual(a.obs);
    const strip = (s: StreamRecord) => ({ ...s, app: undefined, app_uid: undefined });
    expect(b.streams.map(strip)).toEqual(a.streams.map(strip));
  });

  it('names each flow’s app and uid', async () => {
    const { streams } = await scan(droid);
    const byPort = new Map(streams.map((s) => [s.client_port, [s.app, s.app_uid]]));
    expect(Object.fromEntries(byPort)).toEqual({
      40000: ['Xiaomi Account', 10071],
      40001: ['Xiaomi Account', 10071],
      40002: ['Mi Browser', 10112],
      40003: ['Mi Browser', 10112],
      40004: ['uid:-1', -1],
      40005: [null, null],
    });
  });

  it('every observation names its app; a flow without trailers none', async () => {
    const { obs } = await scan(droid);
    // the phone's port: the source of what it sent, the destination of what it got
    const apps = (obs as { sport: number; dport: number; app?: string }[]).map((o) => [o.sport >= 40000 ? o.sport : o.dport, o.app]);
    expect(apps).toEqual([
      [40000, 'Xiaomi Account'],
      [40001, 'Xiaomi Account'],
      [40001, 'Xiaomi Account'],
      [40002, 'Mi Browser'],
      [40003, 'Mi Browser'],
      [40003, 'Mi Browser'],
      [40004, 'uid:-1'],
      [40004, 'uid:-1'],
      [40005, undefined],
      [40005, undefined],
    ]);
  });

  it('which app told Xiaomi the location: each leak’s evidence names it', async () => {
    const { hosts } = await analyzeCaptures([{ name: 'd', source: droid }]);
    const sensors = hosts.find((h) => h.host === SERVERS.sensors.name)!;
    const location = sensors.leaks.filter((l) => l.kind === 'location');
    expect(location.map((l) => l.value)).toEqual(['45.464211', '9.189982']);
    for (const l of sensors.leaks) expect(new Set(l.evidence.map((e) => e.app)), l.kind).toEqual(new Set(['Mi Browser']));
    const account = hosts.find((h) => h.host === SERVERS.account.name)!;
    expect(account.leaks.find((l) => l.kind === 'session_token')!.evidence[0]!.app).toBe('Xiaomi Account');
  });

  it('the report lists the apps per host', async () => {
    const { hosts } = await analyzeCaptures([{ name: 'd', source: droid }]);
    expect(hosts.find((h) => h.host === SERVERS.account.name)!.apps).toEqual(['Xiaomi Account']);
    expect(hosts.find((h) => h.host === SERVERS.sensors.name)!.apps).toEqual(['Mi Browser']);
    const { hosts: without } = await analyzeCaptures([{ name: 'p', source: plain }]);
    expect(without.every((h) => h.apps.length === 0)).toBe(true);
  });

  it('info counts the frames that carried one', async () => {
    const info = await captureInfo(droid);
    const frames = info.packets;
    expect(info.layers.pcapdroid_trailers).toBeGreaterThan(20);
    expect(info.layers.pcapdroid_trailers).toBeLessThan(frames); // the OPTIONS connection has none
    expect((await captureInfo(plain)).layers.pcapdroid_trailers).toBe(0);
  });
});

describe('PCAPdroid pcapng dump (UID map block, `u-<uid>` comments)', () => {
  const file = path.join(work, 'pcapdroid.pcapng');
  const apps = new Map<number, PcapdroidPcapngApp>([
    [40000, { uid: 10071, name: 'Xiaomi Account', packageName: 'com.xiaomi.account' }],
    [40001, { uid: 10071, name: 'Xiaomi Account', packageName: 'com.xiaomi.account' }],
    [40003, { uid: 10112, name: 'Mi Browser', packageName: 'com.mi.globalbrowser' }],
  ]);
  beforeAll(() => {
    const sink = new PcapdroidPcapngSink(PHONE.ip, apps);
    generateXiaomiPhone(sink);
    writeFileSync(file, concatBytes(sink.chunks));
  });

  it('names each flow by the package of its uid; flows without comments have none', async () => {
    const { streams, obs } = await scan(file);
    expect(obs.length).toBe(10);
    expect(Object.fromEntries(streams.map((s) => [s.client_port, [s.app, s.app_uid]]))).toEqual({
      40000: ['com.xiaomi.account', 10071],
      40001: ['com.xiaomi.account', 10071],
      40002: [null, null],
      40003: ['com.mi.globalbrowser', 10112],
      40004: [null, null],
      40005: [null, null],
    });
    const { hosts } = await analyzeCaptures([{ name: 'n', source: file }]);
    expect(hosts.find((h) => h.host === SERVERS.sensors.name)!.apps).toEqual(['com.mi.globalbrowser']);
  });
});

describe('a damaged PCAPdroid UID map block', () => {
  it('is reported (pcapng_option_invalid) and the packets after it still read', async () => {
    const file = path.join(work, 'bad-map.pcapng');
    const sink = new PcapdroidPcapngSink(PHONE.ip, new Map([[40001, { uid: 7, name: 'A', packageName: 'com.a' }]]));
    generateXiaomiPhone(sink);
    const map = sink.chunks.findIndex((c) => c[0] === 0xad && c[1] === 0x0b);
    sink.chunks[map]![20] = 200; // a package name longer than the block
    writeFileSync(file, concatBytes(sink.chunks));
    const res = await scanCapture(file, {});
    expect(res.anomalies.countsObject()).toMatchObject({ pcapng_option_invalid: 1 });
    expect(res.read.frames).toBe(44);
  });
});

describe('findPcapdroidTrailer', () => {
  const ends = { src: '10.0.0.2', dst: '10.0.0.1' };
  const packet = (payload: Uint8Array) =>
    ipv4({ src: ends.src, dst: ends.dst, proto: IP_PROTO.TCP }, tcp({ sport: 1234, dport: 80, seq: 1, ack: 1, flags: 0x18 }, payload, ends));
  const out = { uid: 0, nameOff: 0, nameLen: 0 };

  it.each([0, 1, 2, 3])('finds it after %i padding bytes', (extra) => {
    const ip = packet(new Uint8Array(5 + extra).fill(0x41));
    const frame = pcapdroidFrame(ip, { uid: 10112, name: 'Mi Browser' });
    expect(findPcapdroidTrailer(frame, 0, frame.length, out)).toBe(14 + ip.length);
    expect(out.uid).toBe(10112);
    expect(new TextDecoder().decode(frame.subarray(out.nameOff, out.nameOff + out.nameLen))).toBe('Mi Browser');
  });

  it('is not fooled by the magic inside a payload the IP length covers', () => {
    // zero MACs and the magic 32 bytes from the end, but inside the IP packet: not a trailer
    const tail = new Uint8Array(32);
    new DataView(tail.buffer).setUint32(0, 0x01072021);
    let payload = tail;
    let ip = packet(payload);
    while ((14 + ip.length) % 4 !== 0) ip = packet((payload = new Uint8Array([0x20, ...payload])));
    const frame = ethernet({ src: '00:00:00:00:00:00', dst: '00:00:00:00:00:00', type: ETHERTYPE.IPV4 }, ip);
    expect(findPcapdroidTrailer(frame, 0, frame.length, out)).toBe(-1);
  });

  it('needs the bogus header PCAPdroid writes (zero MACs)', () => {
    const ip = packet(new Uint8Array(8));
    const frame = pcapdroidFrame(ip, { uid: 1, name: 'x' });
    frame[0] = 0x02;
    expect(findPcapdroidTrailer(frame, 0, frame.length, out)).toBe(-1);
  });

  it('a label cut at 19 bytes inside a character loses that character only', async () => {
    const file = path.join(work, 'cjk.pcap');
    const name = '小米浏览器小米浏览器'; // 30 bytes of UTF-8: cut to 19 inside the 7th character
    await writePcapFile(file, (sink: PcapFileSink) => {
      const ip = packet(new TextEncoder().encode('GET / HTTP/1.1\r\nHost: a\r\n\r\n'));
      sink.write(1, 0, pcapdroidFrame(ip, { uid: 10001, name }));
    });
    const streams: StreamRecord[] = [];
    await scanCapture(file, { onFlowClose: (f, e) => streams.push(streamRecord('x', f, e)) });
    expect(streams[0]!.app).toBe('小米浏览器小');
  });
});
