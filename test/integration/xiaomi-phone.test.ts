/**
 * A MIUI phone's plaintext traffic (test-support/xiaomi-phone.ts) through the whole analyzer:
 * account cookies, MIUI's Dalvik User-Agent, a Sensors Data Android upload with scaled GPS, a
 * deep link and hashed identifiers, and requests with methods outside the registered list.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../src/engine/analyze.js';
import { scanCapture } from '../../src/engine/scan.js';
import type { HostRecord } from '../../src/engine/hosts.js';
import type { Observation } from '../../src/engine/observations.js';
import { writePcapFile } from '../../test-support/synth/pcap-file.js';
import { generateXiaomiPhone, PHONE, SERVERS } from '../../test-support/xiaomi-phone.js';

const work = mkdtempSync(path.join(tmpdir(), 'leakscope-xiaomi-phone-'));
const file = path.join(work, 'xiaomi-phone.pcap');
let hosts: HostRecord[];
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(async () => {
  await writePcapFile(file, (sink) => generateXiaomiPhone(sink));
  hosts = (await analyzeCaptures([{ name: 'xiaomi-phone.pcap', source: file }])).hosts;
});

const host = (name: string) => hosts.find((h) => h.host === name)!;
const values = (h: HostRecord, kind: string) =>
  h.leaks
    .filter((l) => l.kind === kind)
    .map((l) => l.value)
    .sort();
const form = (h: HostRecord, kind: string, value: string) => h.leaks.find((l) => l.kind === kind && l.value === value)?.evidence[0]?.form;

describe('a MIUI phone talking to Xiaomi', () => {
  it('account cookies: cUserId and userId are account ids, serviceToken a session token', () => {
    const h = host(SERVERS.account.name);
    expect(h.vendor).toBe('Xiaomi');
    expect(values(h, 'account_id')).toEqual([PHONE.userId, PHONE.cUserId].sort());
    expect(values(h, 'session_token')).toEqual([PHONE.serviceToken]);
  });

  it("MIUI's Dalvik UA names the model, Android and MIUI versions", () => {
    const h = host(SERVERS.account.name);
    expect(values(h, 'device_model')).toEqual([PHONE.model]);
    expect(values(h, 'os_version')).toEqual(['Android 10', PHONE.miui]);
  });

  it('Sensors Data: coordinates scaled by 10^6, a deep link, identifiers hashed under telling keys', () => {
    const h = host(SERVERS.sensors.name);
    expect(values(h, 'location')).toEqual(['45.464211', '9.189982']);
    expect(form(h, 'location', '45.464211')).toBe('e6');
    expect(values(h, 'url')).toEqual([PHONE.deepLink]);
    expect(values(h, 'imei')).toEqual(['406a0854778104a790f54b7ae474fb92']); // md5 of the profile's IMEI
    expect(form(h, 'imei', '406a0854778104a790f54b7ae474fb92')).toBe('md5');
    expect(values(h, 'advertising_id')).toEqual(['2e94afb41f9b28fcf0e926af35512f2925beeeea']);
    expect(form(h, 'advertising_id', '2e94afb41f9b28fcf0e926af35512f2925beeeea')).toBe('sha1');
  });

  it('--redact hides session tokens and account cookies like every other value', async () => {
    const redacted = (await analyzeCaptures([{ name: 'x', source: file }], { redact: { salt: 's' } })).hosts;
    const text = JSON.stringify(redacted);
    for (const secret of [PHONE.serviceToken, PHONE.cUserId, PHONE.userId]) expect(text).not.toContain(secret);
    expect(redacted.find((h) => h.host === SERVERS.account.name)!.leaks.find((l) => l.kind === 'session_token')!.value).toMatch(/^redacted:[0-9a-f]{16}$/);
  });

  it('requests with any method token: an unregistered method opening its connection, OPTIONS *', async () => {
    const http: Observation[] = [];
    await scanCapture(file, {
      onObservation: (o) => {
        if (o.type === 'http') http.push(o);
      },
    });
    expect(http.map((o) => o.type === 'http' && [o.method, o.uri])).toEqual([
      ['GET', '/pass/serviceLogin?sid=passport&_json=true'],
      ['POST', '/sa?project=global_browser_mini&r=IT'],
      ['MIREPORT', '/v1/health?device=redmi'],
      ['OPTIONS', '*'],
    ]);
  });
});
