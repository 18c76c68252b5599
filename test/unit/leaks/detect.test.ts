import { describe, expect, it } from 'vitest';
import { resolveLimits } from '../../../src/limits.js';
import { classify, isPlaceholder, luhnValid } from '../../../src/leaks/kinds.js';
import { findLeaksInHttpRequest, parseIdentifierSpec } from '../../../src/leaks/detect.js';
import { searchTermsInUrl } from '../../../src/leaks/search.js';
import { request } from './helpers.js';

const limits = resolveLimits();

describe('classify: key context plus value shape', () => {
  it.each([
    ['imei', '864811045123671', 'imei'], // device profile IMEI, Luhn-valid
    ['$device_id', '3f8a1c2b9d4e5f60', 'android_id'],
    ['androidId', '3f8a1c2b9d4e5f60', 'android_id'],
    ['oaid', '5c9a2b7e1f3d4a68', 'advertising_id'],
    ['gaid', '38400000-8cf0-11bd-b23e-10b96e40000d', 'advertising_id'],
    ['wifi_mac', 'a4:50:46:12:34:56', 'mac'],
    ['$identity_email', 'alex.popescu@example.org', 'email'],
    ['$identity_mobile', '+40 721 000 111', 'phone'],
    ['$latitude', '44.4268', 'location'],
    ['city', 'Bucharest', 'location'],
    ['$model', 'Redmi Note 8 Pro', 'device_model'],
    ['m', 'Redmi Note 8 Pro', 'device_model'],
    ['$os_version', '10', 'os_version'],
    ['miui', 'V12.0.3.0.QGGMIXM', 'os_version'],
    ['pkg', 'com.mi.globalbrowser', 'app'],
    ['$screen_name', 'com.android.browser.BrowserActivity', 'screen'],
    ['incognito_mode', 'true', 'incognito'],
    ['inc', '1', 'incognito'],
    ['login_id', 'user-10086', 'account_id'],
    ['$identity_cookie_id', '1a20c5a7de76a2-01ff164390783d4-11543b4c-480000-1a20c5a7de81765', 'account_id'],
    ['$url', 'https://www.example.com/adult/porno-videos?page=2', 'url'],
    ['$referrer', 'https://www.google.com/search?q=porno+videos&hl=en', 'referrer'],
    ['$latest_search_keyword', 'porno+videos', 'search_query'],
    ['wd', '小米 隐私', 'search_query'],
    ['$title', 'Porno videos – page 2', 'page_title'],
    ['$manufacturer', 'Xiaomi', 'manufacturer'],
    ['$app_version', '12.1.4-g', 'app_version'],
    [null, 'someone@example.com', 'email'],
    [null, 'V12.0.3.0.QGGMIXM', 'os_version'],
  ])('%s = %s → %s', (key, value, kind) => {
    expect(classify(key, value).map((c) => c.kind)).toContain(kind);
  });

  // false positives: ordinary numbers, hex strings and flags under unrelated or wrong-shaped keys
  it.each([
    ['imei', '864811045123672'], // Luhn fails
    ['imei', '86481104512367'], // 14 digits
    ['ts', '864811045123671'], // IMEI-shaped number under a timestamp key
    ['_track_id', '3f8a1c2b9d4e5f60'],
    ['session', '3f8a1c2b9d4e5f60'],
    ['android_id', '3f8a1c2b9d4e5f6'], // 15 hex
    ['oaid', '00000000-0000-0000-0000-000000000000'], // limit-ad-tracking zero id
    ['mac', '02:00:00:00:00:00'], // Android's fixed placeholder MAC
    ['q', '2'], // page number
    ['$latitude', '0'],
    ['$latitude', '123.5'], // out of range
    ['incognito', 'false'],
    ['$latest_search_keyword', '未取到值'],
    ['$latest_search_keyword', '未取到值_直接打开'],
    ['$latest_referrer', '取值异常'],
    ['$url', 'not a url'],
    ['m', 'pv'], // event type, not a model
    ['phone', '12'],
    ['$screen_width', '1080'],
    ['tagId', '1.301.1.3'],
    [null, '864811045123671'], // an IMEI-shaped number with no key context
    [null, '3f8a1c2b9d4e5f60'],
  ])('%s = %s → nothing', (key, value) => {
    expect(classify(key, value)).toEqual([]);
  });

  it('hashed identifier keys keep the hash with its form', () => {
    expect(classify('imei_md5', '406A0854778104A790F54B7AE474FB92')).toEqual([{ kind: 'imei', value: '406a0854778104a790f54b7ae474fb92', form: 'md5' }]);
  });

  it('Luhn and placeholders', () => {
    expect(luhnValid('864811045123671')).toBe(true);
    expect(luhnValid('864811045123754')).toBe(true); // imei2 of the device profile
    expect(luhnValid('864811045123670')).toBe(false);
    expect(isPlaceholder('  ')).toBe(true);
    expect(isPlaceholder('porno')).toBe(false);
  });
});

describe('search terms in URLs', () => {
  it.each([
    ['https://www.google.com/search?q=porno+videos&hl=en', ['porno videos']],
    ['https://duckduckgo.com/?q=porno&ia=web', ['porno']],
    ['https://www.bing.com/search?q=xiaomi+telemetry&form=QBLH', ['xiaomi telemetry']],
    ['https://www.baidu.com/s?ie=utf-8&wd=%E5%B0%8F%E7%B1%B3', ['小米']],
    ['https://yandex.ru/search/?text=privacy&lr=213', ['privacy']],
    ['https://search.yahoo.com/search?p=leak&fr=yfp', ['leak']],
    ['https://www.sogou.com/web?query=hello', ['hello']],
    ['http://shop.example-customer.com:18081/search?q=porno', ['porno']],
    ['https://www.google.com/', []],
    ['https://yandex.ru/search/?q=ignored', []], // not Yandex's parameter
  ])('%s', (url, terms) => {
    expect(searchTermsInUrl(url, 100)).toEqual(terms);
  });
});

describe('findLeaksInHttpRequest', () => {
  it('an ordinary analytics-like query string on public traffic yields no leaks', () => {
    // Shaped like a Google Analytics collect hit without personal data
    const uri =
      '/collect?v=1&_v=j101&a=1462351201&t=pageview&_s=1&dl=%2F&ul=en-us&de=UTF-8&sd=24-bit&sr=1920x1080&vp=1903x961&je=0&_u=IEBAAEABAAAAACAAI~&jid=&gjid=&cid=1873462154.1700000000&tid=UA-12345-1&_gid=987654321.1700000000&z=1583954345';
    const req = request({
      host: 'www.google-analytics.com',
      uri,
      headers: [
        { name: 'User-Agent', value: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36' },
        { name: 'Accept', value: '*/*' },
      ],
    });
    expect(findLeaksInHttpRequest(req, { limits })).toEqual([]);
  });

  it("a search engine's own query parameter is first-party, not a leak", () => {
    expect(findLeaksInHttpRequest(request({ host: 'duckduckgo.com:18080', uri: '/?q=porno&ia=web' }), { limits })).toEqual([]);
  });

  it('the same parameter sent to another host is a search leak', () => {
    expect(findLeaksInHttpRequest(request({ host: 'api.ad.xiaomi.com', uri: '/v1?keyword=porno' }), { limits })).toEqual([
      { kind: 'search_query', value: 'porno', chain: 'uri query:keyword', key: 'keyword' },
    ]);
  });

  it('reads Referer, Cookie and custom headers', () => {
    const cookie = `sensorsdata2015jssdkcross=${encodeURIComponent(JSON.stringify({ distinct_id: 'user-10086', $device_id: '3f8a1c2b9d4e5f60' }))}; theme=dark`;
    const req = request({
      host: 'sensors.example-customer.com',
      uri: '/sa.gif?project=production',
      headers: [
        { name: 'Referer', value: 'https://www.google.com/search?q=porno+videos&hl=en' },
        { name: 'Cookie', value: cookie },
        { name: 'X-Imei', value: '864811045123671' },
      ],
    });
    const f = findLeaksInHttpRequest(req, { limits });
    expect(f).toContainEqual({ kind: 'referrer', value: 'https://www.google.com/search?q=porno+videos&hl=en', chain: 'header Referer', key: 'referrer' });
    expect(f).toContainEqual({ kind: 'search_query', value: 'porno videos', chain: 'header Referer', key: 'referrer' });
    expect(f).toContainEqual({
      kind: 'account_id',
      value: 'user-10086',
      chain: 'header Cookie:sensorsdata2015jssdkcross → json $.distinct_id',
      key: 'distinct_id',
    });
    expect(f).toContainEqual({ kind: 'imei', value: '864811045123671', chain: 'header X-Imei', key: 'imei' });
  });

  it('reads custom headers named with a vendor prefix (x-mi-android-id, x-mi-model), not unrelated ones', () => {
    const req = request({
      host: 'abtest.browser.intl.miui.com',
      uri: '/api/v2/layer?exp=homepage_feed',
      headers: [
        { name: 'x-mi-android-id', value: '9b2e4f7a1c6d3e85' },
        { name: 'x-mi-model', value: 'Redmi Note 10 Pro' },
        { name: 'x-miui-version', value: 'V13.0.5.0.SKFMIXM' },
        { name: 'x-request-id', value: '5f2c9a' },
        { name: 'x-trace-ctx', value: 'abc' },
      ],
    });
    const f = findLeaksInHttpRequest(req, { limits });
    expect(f).toContainEqual({ kind: 'android_id', value: '9b2e4f7a1c6d3e85', chain: 'header x-mi-android-id', key: 'android_id' });
    expect(f).toContainEqual({ kind: 'device_model', value: 'Redmi Note 10 Pro', chain: 'header x-mi-model', key: 'model' });
    expect(f.filter((x) => x.chain === 'header x-request-id' || x.chain === 'header x-trace-ctx')).toEqual([]);
  });

  it('finds analyst identifiers in other cases and as hashes', () => {
    const gaid = '38400000-8cf0-11bd-b23e-10b96e40000d';
    const ids = [parseIdentifierSpec(`gaid=${gaid}`), parseIdentifierSpec('android_id=3f8a1c2b9d4e5f60')];
    const sha1 = '1f6b4d5e0b8fc4f1d35e5f7b7a8d1d3c4a0e2f11'; // not the hash: must not match
    const req = request({
      host: 'x.example',
      uri: `/p?a=${gaid.toUpperCase()}&b=${sha1}`,
      body: `h=${'4a1d1d0c1bde3bb2a5a4b7bd0c4ce1fb4a60c0c8ac0a1f0f5f1d0d6c0c1e2f3a'}`,
    });
    const f = findLeaksInHttpRequest(req, { limits, identifiers: ids });
    // reported as it was sent (upper case), labelled; not as the analyst typed it
    expect(f).toContainEqual({ kind: 'advertising_id', value: gaid.toUpperCase(), chain: 'uri query:a', key: 'a', form: 'upper' });
    expect(f.filter((x) => x.kind === 'advertising_id' && x.chain === 'uri query:a')).toHaveLength(1);
    expect(f.filter((x) => x.form?.startsWith('sha1'))).toEqual([]);
  });

  it('parseIdentifierSpec', () => {
    expect(parseIdentifierSpec('imei=864811045123671')).toEqual({ kind: 'imei', value: '864811045123671' });
    expect(parseIdentifierSpec('OAID = 5c9a2b7e1f3d4a68')).toEqual({ kind: 'advertising_id', value: '5c9a2b7e1f3d4a68' });
    expect(() => parseIdentifierSpec('imei')).toThrow(/kind=value/);
    expect(() => parseIdentifierSpec('shoe=42')).toThrow(/unknown/);
    expect(() => parseIdentifierSpec('imei=')).toThrow(/empty/);
  });
});
