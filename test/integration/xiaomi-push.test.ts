/**
 * A MIUI phone's push and name-lookup traffic (test-support/mipush.ts writes it as it travels):
 * MiPush recognised by content on 5222, 443 and 80, its handshakes as `push` observations
 * (through the built CLI: `events --type push`) and as leaks to Xiaomi; flows named only inside
 * their plaintext (a CONN, an XMPP `to=`, an absolute URI at a bare address) attributed with
 * `seen_as` saying how; HTTPDNS lookups as `dns` observations (transport `httpdns`) whose
 * answers name the connections that follow.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../src/engine/analyze.js';
import type { HostRecord } from '../../src/engine/hosts.js';
import { writePcapFile } from '../../test-support/synth/pcap-file.js';
import { PUSH_PHONE, generateXiaomiPush } from '../../test-support/mipush.js';
import { REPO_ROOT } from '../helpers/paths.js';

const work = mkdtempSync(path.join(tmpdir(), 'leakscope-push-'));
const file = path.join(work, 'xiaomi-push.pcap');
let hosts: HostRecord[];
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(async () => {
  await writePcapFile(file, (sink) => generateXiaomiPush(sink));
  hosts = (await analyzeCaptures([{ name: 'push', source: file }], { allHosts: true })).hosts;
});

const host = (name: string) => {
  const h = hosts.find((x) => x.host === name);
  expect(h, name).toBeDefined();
  return h!;
};
const leaks = (h: HostRecord) =>
  Object.fromEntries(
    [...new Set(h.leaks.map((l) => l.kind))].map((k) => [
      k,
      h.leaks
        .filter((l) => l.kind === k)
        .map((l) => l.value)
        .sort(),
    ]),
  );

function events(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'run.js'), 'events', file, '--format', 'ndjson', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

describe('MiPush', () => {
  it('events --type push: one handshake per connection, on 5222, 443 and 80, with its fields', () => {
    const push = events('--type', 'push');
    expect(push.map((o) => [o.dport, o.form, o.cmd])).toEqual([
      [5222, 'blob', 'CONN'],
      [443, 'blob', 'CONN'],
      [80, 'xmpp', 'stream'],
    ]);
    expect(push[0]).toMatchObject({
      type: 'push',
      protocol: 'mipush',
      server: 'xiaomi.com',
      ...PUSH_PHONE.conn,
      sdk: 48,
      andver: 29,
    });
    expect(push[2]).toMatchObject({ server: 'xiaomi.com', host: '111.13.142.2', udid: PUSH_PHONE.conn.udid, sdk: 8 });
  });

  it('model, ROM build, device token, network and locale are leaks to Xiaomi’s push host', () => {
    const h = host('app.chat.global.xiaomi.net');
    expect(h).toMatchObject({ vendor: 'Xiaomi', category: 'push', flows: 2 });
    expect(h.transport).toContain('mipush');
    expect(leaks(h)).toEqual({
      device_id: [PUSH_PHONE.conn.udid],
      device_model: [PUSH_PHONE.conn.model],
      locale: ['it_IT'],
      network: [PUSH_PHONE.conn.connpt, 'WIFI'].sort(),
      os_version: [PUSH_PHONE.conn.os],
    });
    expect(h.leaks.find((l) => l.kind === 'device_id')!.evidence[0]!.chain).toBe('mipush CONN udid');
    expect(h.opaque_reasons).toEqual(['mipush_encrypted']);
  });
});

describe('server names only in the payload', () => {
  it('a push CONN with no DNS answer before it names its flow (seen_as push)', () => {
    const h = host('app.chat.global.xiaomi.net');
    expect(h.seen_as).toEqual(['dns', 'push']);
    expect(h.servers.map((s) => s.ip)).toEqual(['203.0.113.80', '203.0.113.81']);
    expect(hosts.some((x) => x.host === '203.0.113.80')).toBe(false);
  });

  it('an XMPP stream to= (its host a bare address) names its flow (seen_as xmpp)', () => {
    const h = host('xiaomi.com');
    expect(h).toMatchObject({ vendor: 'Xiaomi', seen_as: ['xmpp'], flows: 1 });
    expect(leaks(h).device_id).toEqual([PUSH_PHONE.conn.udid]);
  });

  it('an absolute URI sent to a bare address names its flow (seen_as uri)', () => {
    const h = host('resolver.msg.global.xiaomi.net');
    expect(h).toMatchObject({ vendor: 'Xiaomi', category: 'push', seen_as: ['uri'], flows: 1 });
    expect(hosts.some((x) => x.host === '203.0.113.83')).toBe(false);
  });
});

describe('HTTPDNS', () => {
  it('lookups are dns observations with transport httpdns (Alibaba JSON, Tencent text)', () => {
    const dns = events('--type', 'dns').filter((o) => o.transport === 'httpdns');
    expect(dns.map((o) => [o.qname, o.rcode, o.answers])).toEqual([
      ['appmarket.micloud.xiaomi.net', 'NOERROR', ['161.117.180.93']],
      ['api.io.mi.com', 'NOERROR', ['203.0.113.90', '203.0.113.91']],
    ]);
  });

  it('the asked names are attributed, and an answer names the connection that follows', () => {
    expect(host('api.io.mi.com')).toMatchObject({ vendor: 'Xiaomi', category: 'iot', seen_as: ['httpdns'], transport: ['httpdns'] });
    const market = host('appmarket.micloud.xiaomi.net');
    expect(market).toMatchObject({ vendor: 'Xiaomi', seen_as: ['httpdns'], flows: 1 });
    expect(market.transport).toEqual(['httpdns', 'tls1.3']);
    expect(hosts.some((x) => x.host === '161.117.180.93')).toBe(false);
  });
});

describe('MiPush on real phones (nDPI xiaomi capture, read in place)', () => {
  it('every client handshake is decoded; the server answer seen first in a connection begun mid-way is not', async () => {
    const { scanCapture } = await import('../../src/engine/scan.js');
    const { readFileSync } = await import('node:fs');
    const { corpusFile } = await import('../helpers/paths.js');
    const capture = corpusFile('nDPI__xiaomi.pcap');
    const push: Record<string, unknown>[] = [];
    await scanCapture(capture, {
      onObservation: (o) => {
        if (o.type === 'push') push.push(o as unknown as Record<string, unknown>);
      },
    });
    expect(push.map((o) => [o.model, o.os, o.connpt, o.locale])).toEqual([
      ['Redmi Note 9S', 'V12.5.2.0.RJWMIXM', 'mobile-lte-taif', 'ar_EG_#u-nu-latn'],
      ['M2010J19SG', 'V12.0.9.0.QJQMIXM', 'wifi', 'ar_EG'],
      ['M2101K7BG', 'V12.5.15.0.RKLMIXM', 'mobile-lte-taif', 'ar_EG'],
      ['Redmi Note 9 Pro', 'V12.0.3.0.QJZMIXM', 'wifi', 'en_US'],
      ['Redmi Note 8T', 'V12.5.1.0.RCXRUXM', 'wifi', 'ru_RU'],
    ]);
    // each decoded value is in the capture's bytes as sent (plaintext handshake)
    const raw = readFileSync(capture).toString('latin1');
    for (const o of push) for (const k of ['model', 'os', 'udid', 'connpt', 'host', 'locale']) expect(raw, `${k} ${o[k]}`).toContain(o[k] as string);
    expect(push.every((o) => o.dport === 5222 && o.server === 'xiaomi.com' && o.form === 'blob')).toBe(true);
  });
});
