/**
 * Which hosts a report names and what it says about them: a name seen only in DNS gets its
 * servers from the DNS answers (checked against tshark's dns.a/dns.aaaa) and its times; a
 * first-party site that merely carries a vendor SDK's cookie is not the vendor's endpoint.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../../src/engine/analyze.js';
import { SHARED_CAPTURES, sharedCapture } from '../../helpers/paths.js';

describe('a host seen only in DNS', () => {
  it('has the answered addresses as servers (marked dns_only) and first/last seen times', async () => {
    const file = sharedCapture('dns.pcap');
    const { hosts } = await analyzeCaptures([{ name: file, source: file }], { allHosts: true });
    // tshark: frame, query name, addresses of the response
    const oracle = new Map<string, Set<string>>();
    for (const line of readFileSync(path.join(SHARED_CAPTURES, 'oracle', 'dns.pcap.dns.tsv'), 'utf8')
      .trim()
      .split('\n')) {
      const [, qname, addrs] = line.split('\t');
      if (!addrs) continue;
      let set = oracle.get(qname.toLowerCase());
      if (!set) oracle.set(qname.toLowerCase(), (set = new Set()));
      for (const a of addrs.split(',')) set.add(a);
    }
    const dnsOnly = hosts.filter((h) => h.flows === 0 && oracle.has(h.host));
    expect(dnsOnly.length).toBeGreaterThanOrEqual(8);
    for (const h of dnsOnly) {
      expect(h.servers.length, h.host).toBeGreaterThan(0);
      for (const s of h.servers) {
        expect(oracle.get(h.host)!.has(s.ip), `${h.host} ${s.ip}`).toBe(true);
        expect(s.dns_only).toBe(true);
      }
      expect(h.first_seen).not.toBeNull();
      expect(h.last_seen! >= h.first_seen!).toBe(true);
    }
    const tracking = hosts.find((h) => h.host === 'tracking.intl.miui.com')!;
    expect(tracking.servers.map((s) => s.ip)).toEqual(['198.51.100.10', '2001:db8::10']);
  });

  it('a host with traffic keeps the addresses it was reached at, unmarked', async () => {
    const file = sharedCapture('http_mixed.pcap');
    const { hosts } = await analyzeCaptures([{ name: file, source: file }]);
    const withFlows = hosts.filter((h) => h.flows > 0);
    expect(withFlows.length).toBeGreaterThan(0);
    for (const h of withFlows) for (const s of h.servers) expect(s.dns_only).toBeUndefined();
  });
});

describe('vendor endpoints', () => {
  it('a first-party shop that sets the Sensors Data JS SDK cookie is not Sensors Data infrastructure', async () => {
    const file = sharedCapture('sensors_js.pcap');
    const all = await analyzeCaptures([{ name: file, source: file }], { allHosts: true });
    const shop = all.hosts.find((h) => h.host === 'shop.example-customer.com')!;
    expect(shop).toMatchObject({ vendor: null, vendors: [], alert: false, sdk_vendors: ['Sensors Data'] });
    // the collector the SDK sends to is, by its traffic's shape
    const collector = all.hosts.find((h) => h.host === 'sensors.example-customer.com')!;
    expect(collector).toMatchObject({ vendor: 'Sensors Data', alert: true, sdk_vendors: [] });
    const vendorsOnly = await analyzeCaptures([{ name: file, source: file }]);
    expect(vendorsOnly.hosts.map((h) => h.host)).toEqual(['sensors.example-customer.com']);
  });
});
