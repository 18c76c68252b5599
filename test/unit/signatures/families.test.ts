/**
 * Every endpoint family of the research (shared/research/endpoints.tsv, curated and list-only
 * rows) is named by a bundled signature of its vendor, and no host of the ground-truth captures
 * that the truth files do not name becomes an alerting vendor endpoint.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseEndpointsTsv } from '../../../test-support/build-packs.js';
import { SignatureDb } from '../../../src/signatures/db.js';
import { analyzeCaptures } from '../../../src/engine/analyze.js';
import { sharedCapture } from '../../helpers/paths.js';
import { sharedText } from '../leaks/helpers.js';

const rows = parseEndpointsTsv(sharedText('research/endpoints.tsv'));
const db = SignatureDb.bundled();

/** A name a regex row is written for, to check that the regex row is bundled as is. */
function bundledRegex(pattern: string): boolean {
  return db.all().some((s) => Object.values(s.match).includes(pattern));
}

describe('endpoint families of endpoints.tsv', () => {
  it('the table still has its 483 rows (curated and list-only)', () => {
    expect(rows.length).toBe(483);
  });

  it('every host and suffix row is named by a signature of its vendor', () => {
    const names = rows.filter((r) => r.kind !== 'regex');
    expect(names.length).toBeGreaterThan(400);
    const missing = names.filter((r) => !db.matchHost(r.pattern).some((h) => h.signature.vendor === r.vendor));
    expect(missing.map((r) => r.pattern)).toEqual([]);
  });

  it('every regex row is bundled with its own pattern', () => {
    const regexes = rows.filter((r) => r.kind === 'regex');
    expect(regexes.length).toBe(35);
    expect(regexes.filter((r) => !bundledRegex(r.pattern)).map((r) => r.pattern)).toEqual([]);
  });

  it.each([
    ['market.mi-img.com', 'Xiaomi', 'cdn'],
    ['cdn.awsde0-fusion.fds.api.mi-img.com', 'Xiaomi', 'cdn'],
    ['cnbj1.fds.api.xiaomi.com', 'Xiaomi', 'cdn'],
    ['api.io.mi.com', 'Xiaomi', 'iot'],
    ['de.api.io.mi.com', 'Xiaomi', 'iot'],
    ['business.smartcamera.api.io.mi.com', 'Xiaomi', 'iot'],
    ['api.mijia.tech', 'Xiaomi', 'iot'],
    ['api.miwifi.com', 'Xiaomi', 'iot'],
    ['app.chat.global.xiaomi.net', 'Xiaomi', 'push'],
    ['api.account.xiaomi.com', 'Xiaomi', 'account'],
    ['us-api-micloud-xiaomi-net-5630734.us-west-2.elb.amazonaws.com', 'Xiaomi', 'cloud'],
    ['datasink.canon.sensorsdatavip.com', 'Sensors Data', 'analytics'],
    ['sdkdebugtest.datasink.sensorsdata.cn', 'Sensors Data', 'analytics'],
  ])('%s is %s (%s)', (host, vendor, category) => {
    const first = db.matchHost(host)[0];
    expect(first?.signature.vendor).toBe(vendor);
    expect(first?.signature.category).toBe(category);
    expect(first?.signature.references.length).toBeGreaterThan(0);
  });

  it.each(['amazonaws.com', 'elb.amazonaws.com', 'my-shop-1234.eu-west-1.elb.amazonaws.com', 'img.com', 'mijia.technology', 'tv', 'example.com'])(
    'does not name %s',
    (host) => expect(db.matchHost(host)).toEqual([]),
  );
});

describe('no benign host of the ground-truth captures becomes a vendor endpoint', () => {
  for (const capture of ['tls_browser', 'tls_curl_openssl', 'sensors_js', 'sensors_node', 'http_mixed', 'dns']) {
    it(capture, async () => {
      const truth = JSON.parse(readFileSync(sharedCapture(`${capture}.truth.json`), 'utf8'));
      const named = new Set<string>(truth.findings.map((f: { value?: string; host?: string }) => (f.value ?? f.host ?? '').toLowerCase()));
      const { hosts } = await analyzeCaptures([{ name: capture, source: sharedCapture(`${capture}.pcap`) }], { allHosts: true });
      const others = hosts.filter((h) => !named.has(h.host));
      expect(hosts.length).toBeGreaterThan(others.length);
      // a first-party page carrying the Sensors SDK cookie is labelled, never alerted on
      for (const h of others) {
        expect(h.alert, h.host).toBe(false);
        expect(
          h.signatures.filter((s) => s !== 'sensorsdata/shape.js-cookie'),
          h.host,
        ).toEqual([]);
      }
    });
  }
});
