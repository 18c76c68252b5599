import { describe, expect, it } from 'vitest';
import { SignatureDb } from '../../../src/signatures/db.js';
import type { InspectedRequest } from '../../../src/inspect/request.js';
import type { Signature, SignaturePack } from '../../../src/signatures/schema.js';
import { hostRegexAnchors } from '../../../src/signatures/anchors.js';
import { parseRawRequest, request, sharedText } from '../leaks/helpers.js';

function sig(id: string, match: Signature['match'], alert = true): Signature {
  return { id, vendor: 'V', product: 'P', category: 'telemetry', match, alert, confidence: 'confident', description: '', references: [], added: '2026-11-24' };
}
const pack = (signatures: Signature[]): SignaturePack => ({ name: 't', version: '1', description: '', signatures });

describe('SignatureDb.matchHost', () => {
  const db = SignatureDb.fromPacks([
    pack([
      sig('label', { suffix: ['miui.com'] }, false),
      sig('short', { suffix: ['tracking.miui.com'] }),
      sig('long', { suffix: ['intl.tracking.miui.com'] }),
      sig('exact', { host: ['a.intl.tracking.miui.com'] }),
      sig('re', { regex: '^t[0-9]{1,2}\\.(a\\.)?market\\.xiaomi\\.com$' }),
    ]),
  ]);

  it('orders exact > longer suffix > shorter suffix, labels last', () => {
    expect(db.matchHost('A.Intl.Tracking.MIUI.com.').map((h) => h.signature.id)).toEqual(['exact', 'long', 'short', 'label']);
    expect(db.matchHost('a.intl.tracking.miui.com')[0]).toMatchObject({ on: 'host', value: 'a.intl.tracking.miui.com' });
  });

  it('a suffix matches the name itself and names below it, never a look-alike', () => {
    expect(db.matchHost('tracking.miui.com').map((h) => h.signature.id)).toEqual(['short', 'label']);
    expect(db.matchHost('eviltracking.miui.com').map((h) => h.signature.id)).toEqual(['label']);
    expect(db.matchHost('tracking.miui.com.evil.example')).toEqual([]);
    expect(db.matchHost('miui.com:443').map((h) => h.signature.id)).toEqual(['label']);
  });

  it('host regexes run under their literal suffix', () => {
    expect(db.matchHost('t12.a.market.xiaomi.com').map((h) => h.signature.id)).toEqual(['re']);
    expect(db.matchHost('t123.market.xiaomi.com')).toEqual([]);
  });

  it('alerting before non-alerting at equal specificity', () => {
    const d = SignatureDb.fromPacks([pack([sig('quiet', { host: ['x.example'] }, false), sig('loud', { host: ['x.example'] })])]);
    expect(d.matchHost('x.example').map((h) => h.signature.id)).toEqual(['loud', 'quiet']);
  });
});

describe('hostRegexAnchors', () => {
  it.each([
    ['^t[0-9]{1,2}\\.(a\\.)?market\\.xiaomi\\.com$', ['market.xiaomi.com']],
    ['^cc{1,3}2?\\.sys\\.(intl\\.)?(miui|xiaomi)\\.com$', ['miui.com', 'xiaomi.com']],
    [
      '^feedback\\.(d|pt|pt\\.intl|pt\\.rus)\\.xiaomi\\.com$',
      ['feedback.d.xiaomi.com', 'feedback.pt.xiaomi.com', 'feedback.pt.intl.xiaomi.com', 'feedback.pt.rus.xiaomi.com'],
    ],
    ['(^|\\.)ad\\.intl\\.xiaomi\\.com\\.(edgesuite\\.net|ksyna\\.net)$', ['ad.intl.xiaomi.com.edgesuite.net', 'ad.intl.xiaomi.com.ksyna.net']],
    ['^(fr|idmb|ru)[-a-z0-9]*(app-chat|resolver-msg)[-a-z0-9]*\\.[a-z0-9-]+\\.elb\\.amazonaws\\.com$', ['elb.amazonaws.com']],
    ['^foo$', null],
    ['xiaomi', null],
  ])('%s', (re, anchors) => {
    const got = hostRegexAnchors(re);
    expect(got === null ? null : [...got].sort()).toEqual(anchors === null ? null : [...anchors].sort());
  });
});

describe('bundled packs', () => {
  const db = SignatureDb.bundled();
  const ids = (hits: { signature: Signature }[]) => hits.map((h) => h.signature.id);

  it('are versioned and counted', () => {
    expect(db.version).toBe('xiaomi@2026.11.24+sensorsdata@2026.11.24');
    expect(db.packs).toEqual([
      { name: 'xiaomi', version: '2026.11.24', count: 164 },
      { name: 'sensorsdata', version: '2026.11.24', count: 25 },
    ]);
  });

  it('sa.api.intl.miui.com is both Xiaomi and Sensors Data', () => {
    const hits = db.matchHost('sa.api.intl.miui.com');
    expect(ids(hits).slice(0, 2).sort()).toEqual(['sensorsdata/sa.api.intl.miui.com', 'xiaomi/sa.api.intl.miui.com']);
    expect(new Set(hits.map((h) => h.signature.vendor))).toEqual(new Set(['Xiaomi', 'Sensors Data']));
  });

  it('too-broad names label the vendor without alerting', () => {
    for (const name of ['www.xiaomi.com', 'xiaomi.com', 'miui.com', 'i18n.mi.com', 'weather.xiaomi.net', 'www.miui.net']) {
      const hits = db.matchHost(name);
      expect(hits.length, name).toBeGreaterThan(0);
      expect(
        hits.every((h) => !h.signature.alert && h.signature.vendor === 'Xiaomi'),
        name,
      ).toBe(true);
    }
  });

  it('CNAME targets match through host regexes', () => {
    expect(ids(db.matchHost('mistat.intl.xiaomi.com.edgesuite.net'))).toEqual(['xiaomi/mistat.cdn-cname']);
    expect(ids(db.matchHost('global-ad-sg1.alb.xiaomi.com'))[0]).toBe('xiaomi/ads.alb-cname');
  });

  it('benign names match nothing', () => {
    for (const name of ['en.wikipedia.org', 'example.com', 'duckduckgo.com', 'xiaomi.com.evil.example', 'notmiui.com'])
      expect(db.matchHost(name), name).toEqual([]);
  });

  it('matchHttp: Sensors Node SDK upload on a loopback collector (byte-exact capture)', () => {
    const req = parseRawRequest(sharedText('research/sensorsdata-wire/node_sdk_post_raw.http'));
    const hits = db.matchHttp(req);
    expect(ids(hits)).toEqual([
      'sensorsdata/shape.ingest-path',
      'sensorsdata/shape.js-batch-body',
      'sensorsdata/shape.sdk-user-agent',
      'sensorsdata/shape.lib-marker',
      'sensorsdata/shape.user-agent',
    ]);
    expect(hits[0]).toMatchObject({ on: 'path', value: '/sa?project=default' });
    expect(hits.find((h) => h.signature.id === 'sensorsdata/shape.lib-marker')?.on).toBe('body');
  });

  it('matchHttp: JS SDK image beacon and the reconstructed Android upload', () => {
    const js = parseRawRequest(sharedText('research/sensorsdata-wire/js_sdk_image_get_raw.http'));
    expect(ids(db.matchHttp(js))).toEqual(['sensorsdata/shape.ingest-path', 'sensorsdata/shape.js-beacon', 'sensorsdata/shape.lib-marker']);
    const android = parseRawRequest(sharedText('research/sensorsdata-wire/android_sdk_post_RECONSTRUCTED.http'));
    expect(ids(db.matchHttp(android))).toEqual([
      'xiaomi/browser.sensors-ingest.url',
      'sensorsdata/shape.ingest-path',
      'sensorsdata/shape.batch-body',
      'sensorsdata/shape.js-batch-body',
      'sensorsdata/shape.lib-marker',
    ]);
  });

  it('matchHttp: a Sensors UA, Dry-Run header, config path, cookie and port', () => {
    const req: InspectedRequest = request({
      host: 'collector.example:8106',
      uri: '/config/Android.conf',
      headers: [
        { name: 'User-Agent', value: 'SensorsAnalytics Android SDK' },
        { name: 'Dry-Run', value: 'true' },
        { name: 'Cookie', value: 'sensorsdata2015jssdkcross=%7B%7D' },
      ],
    });
    expect(ids(db.matchHttp(req))).toEqual([
      'sensorsdata/shape.remote-config-path',
      'sensorsdata/shape.dry-run-header',
      'sensorsdata/shape.user-agent',
      'sensorsdata/shape.js-cookie',
      'sensorsdata/shape.ingest-port',
    ]);
  });

  it('matchHttp: ordinary requests match nothing', () => {
    expect(db.matchHttp(request({ host: 'example.com', uri: '/search?q=sa&project=x', headers: [{ name: 'User-Agent', value: 'curl/7.88.1' }] }))).toEqual([]);
    expect(
      db.matchHttp(request({ method: 'POST', host: 'example.com', uri: '/form', body: 'data=hello&ext=1', contentType: 'application/x-www-form-urlencoded' })),
    ).toEqual([]);
  });
});
