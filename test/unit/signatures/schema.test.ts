import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importBlocklist, loadPackFile, SignatureDb, validatePack } from '../../../src/signatures/db.js';

const good = {
  name: 'mine',
  version: '1',
  description: 'test pack',
  signatures: [
    {
      id: 'mine/a',
      vendor: 'Acme',
      product: 'SDK',
      category: 'analytics',
      match: { suffix: ['acme-track.example'] },
      alert: true,
      confidence: 'confident',
      description: '',
      references: ['me'],
      added: '2026-11-24',
    },
  ],
};

describe('validatePack', () => {
  it('accepts a valid pack', () => {
    const { pack, errors } = validatePack(good, 'mine.json');
    expect(errors).toEqual([]);
    expect(pack?.signatures[0].match).toEqual({ suffix: ['acme-track.example'] });
  });

  it('names the file and the JSON path of each problem', () => {
    const bad = {
      name: 'x',
      version: '1',
      description: '',
      extra: 1,
      signatures: [
        { ...good.signatures[0], match: { suffix: ['Bad Name'], regex: '(' } },
        { ...good.signatures[0], confidence: 'sure', added: 'today', alert: 'yes' },
        { ...good.signatures[0], id: 'mine/b', match: {} },
        { ...good.signatures[0], id: 'mine/c', match: { hostname: ['x.example'] } },
      ],
    };
    const { pack, errors } = validatePack(bad, 'bad.json');
    expect(pack).toBeUndefined();
    expect(errors).toEqual([
      'bad.json: $.extra: unknown field',
      'bad.json: $.signatures[0].match.suffix[0]: expected a lowercase domain name, got "Bad Name"',
      expect.stringMatching(/^bad\.json: \$\.signatures\[0\]\.match\.regex: invalid regular expression: /),
      'bad.json: $.signatures[1].id: duplicate id "mine/a"',
      'bad.json: $.signatures[1].alert: expected true or false',
      'bad.json: $.signatures[1].confidence: expected one of confident, imprecise',
      'bad.json: $.signatures[1].added: expected a date YYYY-MM-DD',
      'bad.json: $.signatures[2].match: expected at least one of host, suffix, regex, url, path, body, payload, userAgent, header, cookie, hostHeader',
      expect.stringMatching(/^bad\.json: \$\.signatures\[3\]\.match\.hostname: unknown match field/),
      'bad.json: $.signatures[3].match: expected at least one of host, suffix, regex, url, path, body, payload, userAgent, header, cookie, hostHeader',
    ]);
  });

  it('rejects non-objects', () => {
    expect(validatePack([], 'a.json').errors).toEqual(['a.json: $: expected an object with name, version, description and signatures']);
    expect(validatePack({ name: 'n', version: '1', description: '' }, 'a.json').errors).toEqual(['a.json: $.signatures: expected an array']);
  });
});

describe('loadPackFile and user packs', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'leakscope-sig-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a user pack that matches alongside the bundled ones', () => {
    const file = path.join(dir, 'mine.json');
    writeFileSync(file, JSON.stringify(good));
    const db = SignatureDb.fromPacks([loadPackFile(file)]);
    expect(db.matchHost('eu.acme-track.example').map((h) => h.signature.id)).toEqual(['mine/a']);
  });

  it('throws user-facing errors naming the file', () => {
    const broken = path.join(dir, 'broken.json');
    writeFileSync(broken, '{"name": ');
    expect(() => loadPackFile(broken)).toThrow(`${broken}: not valid JSON`);
    const invalid = path.join(dir, 'invalid.json');
    writeFileSync(invalid, JSON.stringify({ ...good, version: '' }));
    expect(() => loadPackFile(invalid)).toThrow(`${invalid}: $.version: expected a non-empty string`);
    expect(() => loadPackFile(path.join(dir, 'missing.json'))).toThrow(/cannot read signature pack/);
  });
});

describe('importBlocklist', () => {
  it('reads hosts files, AdGuard/ABP rules and plain domain lists', () => {
    const text = [
      '# Title: test list',
      '! adblock comment',
      '0.0.0.0 tracking.intl.miui.com',
      '127.0.0.1 localhost',
      '127.0.0.1\tdata.mistat.xiaomi.com  api.ad.xiaomi.com # two on one line',
      '::1 ip6-localhost',
      '||sensorsdata.cn^',
      '||ad.xiaomi.com^$third-party',
      '@@||update.miui.com^',
      '||example.com/path^',
      'example.org##.banner',
      'stat.miui.com',
      'not a domain line',
    ].join('\n');
    const pack = importBlocklist(text, { vendor: 'Xiaomi', category: 'telemetry', name: 'My List', added: '2026-11-24' });
    expect(pack.signatures.map((s) => [s.id, s.match])).toEqual([
      ['my-list/ad.xiaomi.com', { suffix: ['ad.xiaomi.com'] }],
      ['my-list/sensorsdata.cn', { suffix: ['sensorsdata.cn'] }],
      ['my-list/api.ad.xiaomi.com', { host: ['api.ad.xiaomi.com'] }],
      ['my-list/data.mistat.xiaomi.com', { host: ['data.mistat.xiaomi.com'] }],
      ['my-list/stat.miui.com', { host: ['stat.miui.com'] }],
      ['my-list/tracking.intl.miui.com', { host: ['tracking.intl.miui.com'] }],
    ]);
    expect(validatePack(pack, 'import').errors).toEqual([]);
    expect(pack.signatures[0]).toMatchObject({
      vendor: 'Xiaomi',
      category: 'telemetry',
      alert: true,
      confidence: 'imprecise',
      references: ['My List'],
      added: '2026-11-24',
    });
  });
});
