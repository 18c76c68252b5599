/**
 * Leak kinds met on real Xiaomi devices (issue #21): account cookies and session tokens,
 * Sensors Data coordinates scaled by 10^6, custom-scheme deep links, identifiers hashed under
 * telling keys.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { classify } from '../../../src/leaks/kinds.js';
import { findLeaksInHttpRequest } from '../../../src/leaks/detect.js';
import { resolveLimits } from '../../../src/limits.js';
import { request } from './helpers.js';

const limits = resolveLimits();
const hex = (alg: string, s: string) => createHash(alg).update(s).digest('hex');

describe('account cookies and session tokens', () => {
  // cookie names as Xiaomi's account SDK and Mi Home clients send them (shared/research, public Mi Home clients)
  const cookie =
    'cUserId=mVk3Q2h1Yk9xR3dQ; serviceToken=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg/xQ==; userId=1234567890; xiaomiio_serviceToken=c2Vzc2lvbi10b2tlbi1mb3ItbWlob21l; sdkVersion=accountsdk-18.8.15; deviceId=wbcdefghijklmnop';
  const leaks = findLeaksInHttpRequest(
    request({
      host: 'api.account.xiaomi.com',
      uri: '/pass/serviceLogin?sid=passport',
      headers: [
        { name: 'Cookie', value: cookie },
        { name: 'Authorization', value: 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc' },
      ],
    }),
    { limits },
  );
  const of = (kind: string) => leaks.filter((l) => l.kind === kind).map((l) => l.value);

  it('cUserId and userId are account ids', () => {
    expect(of('account_id')).toEqual(expect.arrayContaining(['mVk3Q2h1Yk9xR3dQ', '1234567890']));
  });
  it('serviceToken, <sid>_serviceToken and a bearer token are session tokens', () => {
    expect(of('session_token').sort()).toEqual([
      'Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc',
      'Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg/xQ==',
      'c2Vzc2lvbi10b2tlbi1mb3ItbWlob21l',
    ]);
    expect(leaks.find((l) => l.value === 'c2Vzc2lvbi10b2tlbi1mb3ItbWlob21l')!.chain).toBe('header Cookie:xiaomiio_serviceToken');
  });
  it('the deviceId cookie is a device id; the SDK version is nothing', () => {
    expect(of('device_id')).toContain('wbcdefghijklmnop');
    expect(leaks.some((l) => l.value === 'accountsdk-18.8.15')).toBe(false);
  });
  it('a base64 serviceToken is reported as sent (its + and / are not form encoding)', () => {
    const token = 'jaiyk7cRT4X24EjwxCgALG8AIvOiZcVLU5p+2ioGK5Z+S+X1KnBp8pFP2HWq/bVPYpkqS7j8TDJ+4J7F==';
    const found = findLeaksInHttpRequest(
      request({ host: 'api.account.xiaomi.com', headers: [{ name: 'Cookie', value: `cUserId=RneS48n; serviceToken=${token}` }] }),
      { limits },
    );
    expect(found.filter((l) => l.kind === 'session_token').map((l) => l.value)).toEqual([token]);
  });

  it('short or spaced values under token keys are not tokens', () => {
    expect(classify('serviceToken', 'abc')).toEqual([]);
    expect(classify('access_token', 'not a token at all')).toEqual([]);
  });
});

describe('Sensors Data coordinates scaled by 10^6', () => {
  it.each([
    ['$latitude', '45464211', '45.464211'],
    ['$longitude', '9189982', '9.189982'],
    ['$longitude', '-122419416', '-122.419416'],
  ])('%s %s → %s', (key, raw, value) => {
    expect(classify(key, raw)).toEqual([{ kind: 'location', value, form: 'e6' }]);
  });
  it('plain degrees stay as sent; out-of-range integers are nothing', () => {
    expect(classify('latitude', '45.464211')).toEqual([{ kind: 'location', value: '45.464211' }]);
    expect(classify('$latitude', '95000000000')).toEqual([]);
  });
});

describe('deep links with custom schemes are visited pages', () => {
  it.each(['shopexample://prodotto/12345?colore=rosso', 'mimarket://details?id=com.example', 'snssdk1128://aweme/detail/123'])('%s', (link) => {
    expect(classify('$url', link)).toEqual([{ kind: 'url', value: link }]);
  });
  it.each(['javascript:alert(1)', 'about:blank', 'data:text/html,x'])('not %s', (v) => {
    expect(classify('$url', v)).toEqual([]);
  });
});

describe('identifiers hashed under telling keys', () => {
  const imei = '864811045123671';
  const oaid = '5c9a2b7e1f3d4a68';
  it.each([
    ['imei_md5', hex('md5', imei), 'imei', 'md5'],
    ['imeiMd5', hex('md5', imei), 'imei', 'md5'],
    ['oaid_sha1', hex('sha1', oaid), 'advertising_id', 'sha1'],
    ['md5_android_id', hex('md5', '3f8a1c2b9d4e5f60'), 'android_id', 'md5'],
    ['hashed_mac_sha256', hex('sha256', '02:11:22:33:44:55'), 'mac', 'sha256'],
    ['gaid_md5', hex('md5', '38400000-8cf0-11bd-b23e-10b96e40000d'), 'advertising_id', 'md5'],
  ])('%s', (key, value, kind, form) => {
    expect(classify(key, value)).toEqual([{ kind, value, form }]);
  });
  it('a hash key with a value that is not a hash, and an unrelated *_md5 key, are nothing', () => {
    expect(classify('oaid_sha1', 'not-a-hash')).toEqual([]);
    expect(classify('file_md5', hex('md5', 'x'))).toEqual([]);
  });
});
