/**
 * Leak findings on the public captures of ../shared/corpus (other projects' test traffic). The
 * detectors must not invent personal data there; what they do find is real and listed in the
 * golden file, reviewed by hand:
 *  - nDPI 1kxun: a Chinese video app whose ad SDKs (rayjump/Mintegral, vpon, liftoff) send the
 *    Google advertising id, the Android id, the app's package name, the emulator's model and
 *    Android version in query strings, forms and a zlib-compressed JSON body (with a MAC address);
 *    the app itself sends its user id, the Android id, its package, the brand and OS in
 *    `Client-Uid`/`Client-AndroidId`/`Client-Package`/`Client-Brand`/`Client-Os` headers;
 *  - nDPI quickplay (captured on a Xiaomi MI 3W): a Xiaomi account user id, its cUserId and
 *    serviceToken cookies to api.account.xiaomi.com, an app's user id;
 *  - nDPI xiaomi (Xiaomi phones' MiPush connections): each handshake's model, ROM build, device
 *    token, network type and locale, leaked to the push host its CONN names;
 *  - nDPI ocs: a Capptain analytics device id;
 *  - Referer headers (the page the user came from) and User-Agent model/OS strings everywhere.
 * Any change to this list is a detector change to review: update with `npx vitest -u`.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../src/engine/analyze.js';
import { CORPUS_FILES } from '../helpers/paths.js';

describe('leak findings on public corpus traffic', () => {
  it('are exactly the reviewed true findings', async () => {
    const lines: string[] = [];
    for (const f of readdirSync(CORPUS_FILES).sort()) {
      const r = await analyzeCaptures([{ name: f, source: path.join(CORPUS_FILES, f) }], { allHosts: true });
      for (const h of r.hosts) for (const l of h.leaks) lines.push([f, h.host, h.vendor ?? '-', l.kind, l.value, l.evidence[0].chain].join('\t'));
    }
    expect(lines.length).toBeGreaterThan(0);
    await expect(lines.join('\n') + '\n').toMatchFileSnapshot('../golden/corpus-leaks.tsv');
  }, 120_000);

  it('reports no host of the public corpus as a vendor endpoint except real Xiaomi ones', async () => {
    const vendorHosts: string[] = [];
    for (const f of readdirSync(CORPUS_FILES).sort()) {
      const r = await analyzeCaptures([{ name: f, source: path.join(CORPUS_FILES, f) }]);
      for (const h of r.hosts) vendorHosts.push(`${h.host} ${h.vendors.join('+')}`);
    }
    // every one of them is a Xiaomi name (the nDPI xiaomi and quickplay captures come from Xiaomi phones)
    expect(vendorHosts.length).toBeGreaterThan(0);
    // (MiPush handshakes there name Xiaomi's push load balancers on AWS: fr-app-chat-global-xiaomi-net…elb.amazonaws.com)
    expect(
      vendorHosts.filter(
        (h) => !/(xiaomi\.(com|net)|miui\.com|mi\.com|mi-img\.com|app-chat-global-xiaomi-net[0-9]*-\d+\.[a-z0-9-]+\.elb\.amazonaws\.com) Xiaomi$/.test(h),
      ),
    ).toEqual([]);
  }, 120_000);
});
