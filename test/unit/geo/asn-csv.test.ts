import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { AsnCsvFile, compareDecimal } from '../../../geo/asn-csv.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const ASN_DIR = path.join(ROOT, 'node_modules/@ip-location-db/asn');
const v4 = new AsnCsvFile(path.join(ASN_DIR, 'asn-ipv4-num.csv'));
const v6 = new AsnCsvFile(path.join(ASN_DIR, 'asn-ipv6-num.csv'));
const tmp = mkdtempSync(path.join(os.tmpdir(), 'leakscope-geo-'));
afterAll(() => {
  v4.close();
  v6.close();
  rmSync(tmp, { recursive: true, force: true });
});

const ip4 = (s: string) => String(s.split('.').reduce((n, o) => n * 256 + Number(o), 0));

describe('compareDecimal', () => {
  const row = Buffer.from('42540488161975842760550356425300246528,x');
  it.each([
    ['42540488161975842760550356425300246528', 0],
    ['42540488161975842760550356425300246529', -1],
    ['42540488161975842760550356425300246527', 1],
    ['4254048816197584276055035642530024652', 1], // shorter key: the row is larger
    ['425404881619758427605503564253002465280', -1],
  ])('row vs %s', (key, sign) => {
    expect(Math.sign(compareDecimal(row, 0, row.length, key)!)).toBe(sign);
  });
  it('is null without a number ending in a comma', () => {
    expect(compareDecimal(Buffer.from('abc,1'), 0, 5, '1')).toBeNull();
    expect(compareDecimal(Buffer.from('123'), 0, 3, '1')).toBeNull();
  });
});

describe('AsnCsvFile over the real @ip-location-db/asn files', () => {
  // expected rows are quoted from asn-ipv4.csv / asn-ipv6.csv of package version 2.3.2026061719
  it.each([
    ['1.0.0.0', 13335, 'Cloudflare, Inc.'], // first row of the file, quoted org with a comma
    ['1.0.0.255', 13335, 'Cloudflare, Inc.'], // inclusive range end
    ['8.8.8.8', 15169, 'Google LLC'],
    ['161.117.0.0', 45102, 'Alibaba (US) Technology Co., Ltd.'], // 161.117.0.0,161.117.255.255,45102
    ['161.117.255.255', 45102, 'Alibaba (US) Technology Co., Ltd.'],
    ['185.218.176.1', 45102, 'Alibaba (US) Technology Co., Ltd.'],
    ['2.26.200.1', 201907, 'LLC "SPUTNIK"'], // 2.26.200.0,2.26.215.255,201907,"LLC ""SPUTNIK"""
    ['223.255.254.10', 55415, 'Marina Bay Sands Pte Ltd'], // last row of the file
    // the one overlapping pair: 214.95.0.0,215.0.255.255,749 and 215.0.0.0,215.1.3.255,721;
    // the row that starts last wins where they overlap
    ['214.96.0.1', 749, 'United States Department of Defense (DoD)'],
    ['215.0.0.1', 721, 'DoD Network Information Center'],
  ])('%s → AS%d %s', (ip, asn, org) => {
    expect(v4.lookup(ip4(ip))).toEqual({ asn, org });
  });

  it.each([['0.0.0.1'], ['1.0.1.0'], ['223.255.255.1'], ['255.255.255.255']])('%s is in no range → null', (ip) => {
    expect(v4.lookup(ip4(ip))).toBeNull();
  });

  it('finds IPv6 rows by decimal value', () => {
    // 2a01:4f8::,2a01:4f9:ffff:ffff:ffff:ffff:ffff:ffff,24940,Hetzner Online GmbH
    const hetzner = (BigInt('0x2a0104f8') << 96n) + 1n;
    expect(v6.lookup(hetzner.toString())).toEqual({ asn: 24940, org: 'Hetzner Online GmbH' });
    // 2001::,2001::ffff:ffff:ffff:ffff:ffff:ffff,6939,Hurricane Electric LLC (first row)
    expect(v6.lookup('42540488161975842760550356425300246528')).toEqual({ asn: 6939, org: 'Hurricane Electric LLC' });
    expect(v6.lookup('1')).toBeNull();
  });

  it('agrees with a full in-memory index on 3000 addresses', () => {
    const starts: number[] = [];
    const ends: number[] = [];
    const asns: number[] = [];
    for (const line of readFileSync(path.join(ASN_DIR, 'asn-ipv4-num.csv'), 'latin1').split('\n')) {
      if (!line) continue;
      const [a, b, n] = line.split(',', 3);
      starts.push(Number(a));
      ends.push(Number(b));
      asns.push(Number(n));
    }
    let seed = 12345;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let k = 0; k < 3000; k++) {
      // half the probes at row starts/ends (boundaries), half anywhere
      const row = Math.floor(rand() * starts.length);
      const key = k % 3 === 0 ? starts[row] : k % 3 === 1 ? ends[row] : Math.floor(rand() * 2 ** 32);
      let lo = 0;
      let hi = starts.length - 1;
      let best = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (starts[mid] <= key) {
          best = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      const want = best >= 0 && ends[best] >= key ? asns[best] : null;
      expect(v4.lookup(String(key))?.asn ?? null, `key ${key}`).toBe(want);
    }
  });
});

describe('AsnCsvFile on damaged files', () => {
  it('gives null, not an exception, when rows have no line breaks', () => {
    const file = path.join(tmp, 'one-line.csv');
    writeFileSync(file, '1,2,3,x'.repeat(5000));
    const f = new AsnCsvFile(file);
    expect(f.lookup('5')).toBeNull();
    f.close();
  });

  it('gives null for non-numeric rows', () => {
    const file = path.join(tmp, 'text.csv');
    writeFileSync(file, 'start,end,asn,org\n'.repeat(3000));
    const f = new AsnCsvFile(file);
    expect(f.lookup('5')).toBeNull();
    f.close();
  });

  it('reads a small well-formed file (shorter than one probe)', () => {
    const file = path.join(tmp, 'small.csv');
    writeFileSync(file, '10,19,64500,First\n30,39,64501,"Second, Inc."\n40,40,64502,\n');
    const f = new AsnCsvFile(file);
    expect(f.lookup('10')).toEqual({ asn: 64500, org: 'First' });
    expect(f.lookup('25')).toBeNull();
    expect(f.lookup('39')).toEqual({ asn: 64501, org: 'Second, Inc.' });
    expect(f.lookup('40')).toEqual({ asn: 64502, org: null });
    expect(f.lookup('9')).toBeNull();
    f.close();
  });

  it('throws an I/O error for a missing file', () => {
    expect(() => new AsnCsvFile(path.join(tmp, 'missing.csv')).lookup('1')).toThrow(/ENOENT/);
  });
});
