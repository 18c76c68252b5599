/**
 * Device model and OS versions in real Android User-Agents: MIUI's Dalvik UA (model without
 * ` Build/`), WebView and browser UAs, Mi Home's okhttp UA, and UAs that name no model.
 */
import { describe, expect, it } from 'vitest';
import { classifyUserAgent } from '../../../src/leaks/kinds.js';

const pick = (ua: string) => {
  const got = classifyUserAgent(ua);
  return {
    model: got.filter((c) => c.kind === 'device_model').map((c) => c.value),
    os: got.filter((c) => c.kind === 'os_version').map((c) => c.value),
    app: got.filter((c) => c.kind === 'app').map((c) => c.value),
  };
};

describe('User-Agent leaks', () => {
  it.each([
    // MIUI's Dalvik UA (issue #21): the model ends where ` MIUI/` begins
    ['Dalvik/2.1.0 (Linux; U; Android 10; Redmi Note 9 Pro MIUI/V12.0.3.0.QJZMIXM)', ['Redmi Note 9 Pro'], ['Android 10', 'V12.0.3.0.QJZMIXM'], []],
    // AOSP Dalvik with Build/
    ['Dalvik/2.1.0 (Linux; U; Android 11; M2007J20CG Build/RKQ1.200826.002)', ['M2007J20CG'], ['Android 11'], []],
    // the truth captures' Mi Browser UA (locale segment before the model)
    [
      'Mozilla/5.0 (Linux; U; Android 10; en-us; Redmi Note 8 Pro Build/QP1A.190711.020) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/71.0.3578.141 Mobile Safari/537.36 XiaoMi/MiuiBrowser/12.1.4-g',
      ['Redmi Note 8 Pro'],
      ['Android 10'],
      [],
    ],
    // WebView
    [
      'Mozilla/5.0 (Linux; Android 12; 2201117TG Build/SKQ1.211103.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0.6099.43 Mobile Safari/537.36',
      ['2201117TG'],
      ['Android 12'],
      [],
    ],
    // an okhttp app that copies the Android comment without Build/
    ['ShopExample/5.2.1 (Android 13; Redmi Note 12; okhttp/4.10.0)', ['Redmi Note 12'], ['Android 13'], []],
    // Mi Home's okhttp UA (as public Mi Home clients send it)
    ['Android-7.1.1-1.0.0-ONEPLUS A3010-136-ABCDEABCDEABC APP/xiaomi.smarthome APPV/62830', ['ONEPLUS A3010'], ['Android 7.1.1'], ['xiaomi.smarthome']],
    // no model: Chrome's reduced UA, plain okhttp, desktop
    ['Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36', [], ['Android 10'], []],
    ['okhttp/4.9.3', [], [], []],
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36', [], [], []],
  ])('%s', (ua, model, os, app) => {
    expect(pick(ua)).toEqual({ model, os, app });
  });
});
