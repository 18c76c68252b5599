/**
 * Leaks in the Sensors Data SDK requests of sensors_js.pcap and sensors_node.pcap: every value
 * the truth lists is found. GET requests use the truth's raw URI; POST bodies are rebuilt from
 * decoded_json in the SDK's wire format (sensors.test.ts shows the JS rebuild is byte-exact; the
 * Node SDK's gzip output is not reproduced byte for byte, so those are checked by content only).
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { resolveLimits } from '../../../src/limits.js';
import { javaStringHash } from '../../../src/inspect/codec.js';
import { findLeaksInHttpRequest, type LeakKind } from '../../../src/leaks/detect.js';
import { request, sharedJson } from './helpers.js';

const limits = resolveLimits();

const KINDS: Record<string, LeakKind[]> = {
  cookie_id: ['account_id'],
  anonymous_id: ['account_id'],
  distinct_id: ['account_id'],
  original_id: ['account_id'],
  login_id: ['account_id'],
  search_query: ['search_query'],
  referrer: ['referrer'],
  device_id: ['device_id'],
  android_id: ['android_id'],
  imei: ['imei'],
  oaid: ['advertising_id'],
  model: ['device_model'],
  manufacturer: ['manufacturer'],
  os: ['os_version'],
  os_version: ['os_version'],
  miui_version: ['os_version'],
  url_visited: ['url'],
  page_title: ['page_title'],
  incognito: ['incognito'],
  email: ['email'],
  phone: ['phone'],
  city: ['location'],
  app_version: ['app_version'],
  browser: ['browser'],
  browser_version: ['browser'],
};

function body(r: any): string {
  if (r.method !== 'POST') return '';
  const p = r.sensors_payload[0];
  const json = JSON.stringify(p.decoded_json);
  if (p.gzip_param === '1') return `data_list=${encodeURIComponent(gzipSync(json).toString('base64'))}&gzip=1`;
  const b64 = Buffer.from(json, 'utf8').toString('base64');
  if (p.carried_in === 'body field data_list') return `data_list=${encodeURIComponent(b64)}${p.gzip_param === '0' ? '&gzip=0' : ''}`;
  return `data=${encodeURIComponent(b64)}&ext=${encodeURIComponent(`crc=${javaStringHash(b64)}`)}`;
}

for (const capture of ['sensors_js', 'sensors_node']) {
  describe(`${capture}.pcap Sensors requests`, () => {
    const truth = sharedJson(`captures/${capture}.truth.json`);
    const reqs: any[] = (truth.flows as any[]).flatMap((f) => f.requests ?? []).filter((r) => r.sensors_payload);

    it('has Sensors requests with leaks', () => {
      expect(reqs.length).toBe(capture === 'sensors_js' ? 11 : 7);
    });

    it.each(reqs.map((r, i) => [i, r] as const))('request %i: every listed leak is found', (_i, r) => {
      const req = request({
        method: r.method,
        host: r.host_header,
        uri: r.uri,
        body: body(r),
        contentType: r.content_type,
        headers: r.user_agent ? [{ name: 'User-Agent', value: r.user_agent }] : [],
      });
      const findings = findLeaksInHttpRequest(req, { limits });
      const missing: string[] = [];
      for (const [key, v] of Object.entries(r.leaks ?? {})) {
        const kinds = KINDS[key];
        expect(kinds, `truth key ${key} has a kind`).toBeDefined();
        for (const value of Array.isArray(v) ? v : [v])
          if (!findings.some((f) => kinds.includes(f.kind) && f.value === String(value))) missing.push(`${key}=${value}`);
      }
      expect(missing).toEqual([]);
      // the SDK's placeholders for unknown values are never reported
      expect(findings.filter((f) => f.value.startsWith('未取到值') || f.value.startsWith('取值异常'))).toEqual([]);
    });
  });
}
