/**
 * The HTML reports in a real browser (headless Chromium): for the fixtures, captures generated
 * for the purpose (firmware profiles with experiment windows, hostile text) and every capture of
 * ../shared/captures, the page loads with no console error and no request at all, draws one map
 * mark per server location of the JSON report, shows every host and leaked value of the JSON,
 * renders hostile text as text, passes axe-core with no serious or critical violation, fits a
 * phone's width, and prints. A screenshot of each goes to test-output/html/ (ignored by git).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeControl } from '../../src/report/escape.js';
import { resolveLimits } from '../../src/limits.js';
import { FIRMWARE_A, FIRMWARE_B, HOSTILE, writeHostileCapture, writeProfileCapture } from '../../test-support/experiments.js';
import { axeViolations, CHROMIUM, chromiumAvailable, launch, openReport } from '../helpers/browser.js';
import { FIXTURES, REPO_ROOT, SHARED, SHARED_CAPTURES } from '../helpers/paths.js';

// a capture of HTTP/2 inside TLS 1.3 with its key log: the report of what decryption found
const KEYED = path.join(SHARED, 'keyed', 'clients');
const KEYED_ARGS = ['analyze', path.join(KEYED, 'h2_node_curl_sdk.pcap'), '--keylog', path.join(KEYED, 'h2_node_curl_sdk.keys')];

const tmp = mkdtempSync(path.join(tmpdir(), 'leakscope-html-'));
const SCREENS = path.join(REPO_ROOT, 'test-output', 'html');

interface Server {
  ip: string;
  country: string | null;
  special?: string | null;
  latitude?: number;
  longitude?: number;
}
interface Host {
  host: string;
  servers: Server[];
  leaks: { kind: string; value: string }[];
}

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'run.js'), ...args], { encoding: 'utf8', timeout: 120_000, maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The JSON report and the HTML report of the same run; the HTML is written to a file. */
function reports(name: string, args: string[]): { json: { hosts: Host[] }; html: string } {
  const json = cli([...args, '--format', 'json', '-q']);
  expect([0, 3], json.stderr).toContain(json.status);
  const page = cli([...args, '--format', 'html', '-q']);
  expect(page.status).toBe(json.status);
  const file = path.join(tmp, `${name}.html`);
  writeFileSync(file, page.stdout);
  return { json: JSON.parse(json.stdout), html: file };
}

/** Where the map must put marks: a server's city coordinates, else its country (special addresses: nowhere). */
function expectedLocations(hosts: Host[]): string[] {
  const keys = new Set<string>();
  for (const h of hosts) {
    for (const s of h.servers) {
      if (s.special) continue;
      if (typeof s.latitude === 'number' && typeof s.longitude === 'number') keys.add(`${s.latitude},${s.longitude}`);
      else if (s.country) keys.add(`country:${s.country}`);
    }
  }
  return [...keys].sort();
}

const norm = (s: string) => s.replace(/\s+/g, ' ').trim();

let browser: Browser;
const cases: { name: string; args: string[]; hostile?: boolean }[] = [];

beforeAll(async () => {
  if (!chromiumAvailable()) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set LEAKSCOPE_CHROMIUM)`);
  mkdirSync(SCREENS, { recursive: true });
  const a = path.join(tmp, 'firmware-a.pcap');
  const b = path.join(tmp, 'firmware-b.pcap');
  const hostile = path.join(tmp, 'hostile.pcap');
  await writeProfileCapture(a, FIRMWARE_A);
  await writeProfileCapture(b, FIRMWARE_B);
  await writeHostileCapture(hostile);
  cases.push(
    { name: 'demo', args: ['analyze', path.join(FIXTURES, 'captures', 'mi_browser_demo.pcap'), '--window', 'incognito=+0s..+0.006s'] },
    { name: 'loopback', args: ['analyze', path.join(FIXTURES, 'captures', 'loopback_clients.pcap'), '--all-hosts'] },
    { name: 'firmware-a', args: ['analyze', a, '--window', 'first=+5s..+25s'] },
    { name: 'firmware-b', args: ['analyze', b, '--window', 'incognito=+10s..+15s'] },
    { name: 'two-captures', args: ['analyze', a, b, '--all-hosts'] },
    { name: 'hostile', args: ['analyze', hostile, '--all-hosts'], hostile: true },
    { name: 'keyed-h2', args: KEYED_ARGS },
  );
  const shared = readdirSync(SHARED_CAPTURES)
    .filter((f) => /\.pcap(ng)?$/.test(f))
    .sort();
  expect(shared.length).toBeGreaterThan(0);
  for (const f of shared) cases.push({ name: `shared-${f.replace(/\.pcap(ng)?$/, '')}`, args: ['analyze', path.join(SHARED_CAPTURES, f), '--all-hosts'] });
  browser = await launch();
}, 300_000);

afterAll(async () => {
  await browser?.close();
});

describe('HTML reports in headless Chromium', () => {
  it('load offline, show every host and value of the JSON, one mark per server location, pass axe', async () => {
    let windowRows = 0;
    for (const c of cases) {
      const { json, html } = reports(c.name, c.args);
      const { page, errors, requests } = await openReport(browser, html);
      expect(errors, c.name).toEqual([]);
      expect(requests, c.name).toEqual([]);

      const marks: string[] = await page.$$eval('a.mark', (els) => els.map((e) => e.getAttribute('data-location') ?? ''));
      expect(marks.slice().sort(), `${c.name}: map marks`).toEqual(expectedLocations(json.hosts));

      const text = norm(await page.evaluate(() => document.body.innerText));
      // every host and value; past htmlValuesPerKind per host and kind, the count of those not listed
      const cap = resolveLimits().htmlValuesPerKind;
      for (const h of json.hosts) {
        expect(text.includes(norm(escapeControl(h.host))), `${c.name}: host ${h.host}`).toBe(true);
        const perKind = new Map<string, string[]>();
        for (const l of h.leaks) perKind.set(l.kind, [...(perKind.get(l.kind) ?? []), l.value]);
        for (const [kind, values] of perKind) {
          for (const v of values.slice(0, cap)) expect(text.includes(norm(escapeControl(v))), `${c.name}: ${h.host} ${kind} ${v}`).toBe(true);
          if (values.length > cap)
            expect(text.includes(`${values.length - cap} more ${kind} value(s) not listed`), `${c.name}: ${h.host} ${kind} count of values not listed`).toBe(
              true,
            );
        }
      }

      // experiment windows: exactly the values found inside one are highlighted
      const inWindow = await page.$$eval('tr.in-window', (els) => els.length);
      windowRows += inWindow;
      expect(inWindow, `${c.name}: rows in a window`).toBe(
        json.hosts.reduce((n, h) => n + h.leaks.filter((l) => (l as { windows?: string[] }).windows?.length).length, 0),
      );

      const serious = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect(serious, `${c.name}: axe`).toEqual([]);

      await page.screenshot({ path: path.join(SCREENS, `${c.name}.png`), fullPage: true });
      await page.close();
    }
    expect(windowRows).toBeGreaterThan(0);
  }, 600_000);

  it('a decrypted capture: its key source, what decryption came to, decrypted bytes per host and chains that start at the encryption', async () => {
    const { json, html } = reports('keyed-h2-check', KEYED_ARGS);
    const report = json as unknown as {
      keys: { source: string; sha256: string; sessions: number; opened: number; connections: number }[];
      captures: { decryption: { decrypted: number; no_key: number; failed: number } }[];
      hosts: (Host & { decrypted_bytes: number; leaks: { kind: string; value: string; evidence: { chain: string }[] }[] })[];
    };
    expect(report.keys.length).toBe(1);
    expect(report.captures[0].decryption.decrypted).toBeGreaterThan(0);
    const { page, errors, requests } = await openReport(browser, html);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    const text = norm(await page.evaluate(() => document.body.innerText));
    const k = report.keys[0];
    expect(text).toContain(k.source);
    expect(text).toContain(k.sha256);
    expect(text).toContain(`opened ${k.opened} of ${k.connections} TLS/QUIC connection(s)`);
    const d = report.captures[0].decryption;
    expect(text).toContain(`${d.decrypted} decrypted, ${d.no_key} without a key, ${d.failed} failed to decrypt`);
    const hosts = await page.$$eval('section.host', (els) =>
      els.map((e) => ({ host: e.querySelector('h4')?.textContent ?? '', facts: (e as HTMLElement).innerText })),
    );
    const chains = await page.$$eval('ul.evidence code', (els) => els.map((e) => e.textContent ?? ''));
    for (const h of report.hosts) {
      expect(h.decrypted_bytes, h.host).toBeGreaterThan(0);
      const section = hosts.find((x) => x.host === h.host);
      expect(section, h.host).toBeDefined();
      expect(norm(section!.facts), h.host).toMatch(/Decrypted [\d.]+ (B|KiB|MiB) \(with the keys available\)/);
      for (const l of h.leaks)
        for (const e of l.evidence) {
          expect(e.chain.startsWith('tls1.'), e.chain).toBe(true);
          expect(chains, e.chain).toContain(e.chain);
        }
    }
    expect(chains.some((c) => /^tls1\.3 → h2 stream \d+ → /.test(c))).toBe(true);
    await page.close();
  }, 120_000);

  it('renders hostile hosts, SNI and URLs as text: nothing injected runs or becomes an element', async () => {
    const { html } = reports('hostile-check', ['analyze', path.join(tmp, 'hostile.pcap'), '--all-hosts']);
    const { page, errors } = await openReport(browser, html);
    expect(errors).toEqual([]);
    const state = await page.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: number }).__pwned ?? null,
      scripts: document.scripts.length,
      images: document.images.length,
      handlers: [...document.querySelectorAll('*')].flatMap((el) =>
        [...el.attributes].filter((a) => a.name.startsWith('on')).map((a) => `${el.tagName} ${a.name}`),
      ),
      svgs: document.querySelectorAll('svg').length,
      text: document.body.innerText,
    }));
    expect(state.pwned).toBeNull();
    expect(state.scripts).toBe(1); // the report's own
    expect(state.images).toBe(0);
    expect(state.handlers).toEqual([]);
    expect(state.svgs).toBe(2); // the map and the timeline, no injected <svg>
    for (const s of Object.values(HOSTILE)) expect(norm(state.text)).toContain(norm(s));
    await page.close();
  }, 120_000);

  it('fits a phone, filters with its script, prints, and the diff report passes the same checks', async () => {
    const demo = reports('demo-phone', ['analyze', path.join(FIXTURES, 'captures', 'mi_browser_demo.pcap')]);
    const phone = await openReport(browser, demo.html, { width: 390, height: 844 });
    const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await phone.page.screenshot({ path: path.join(SCREENS, 'demo-phone.png'), fullPage: true });

    // the filters: one kind keeps only the hosts sent it, and only its rows
    const withKind = demo.json.hosts.filter((h) => h.leaks.some((l) => l.kind === 'incognito')).length;
    await phone.page.selectOption('#f-kind', 'incognito');
    const visible = await phone.page.$$eval('section.host', (els) => els.filter((e) => !(e as HTMLElement).hidden).length);
    expect(visible).toBe(withKind);
    const rows = await phone.page.$$eval('section.host:not([hidden]) tr[data-kind]', (els) =>
      els.filter((e) => !(e as HTMLElement).hidden).map((e) => e.getAttribute('data-kind')),
    );
    expect(new Set(rows)).toEqual(new Set(['incognito']));
    await phone.page.fill('#f-text', 'no such text anywhere');
    await phone.page.selectOption('#f-kind', '');
    expect(await phone.page.$$eval('section.host', (els) => els.filter((e) => !(e as HTMLElement).hidden).length)).toBe(0);
    expect(phone.errors).toEqual([]);
    const pdf = await phone.page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await phone.page.close();

    const diff = cli(['diff', path.join(tmp, 'firmware-a.pcap'), path.join(tmp, 'firmware-b.pcap'), '--format', 'html']);
    expect(diff.status).toBe(0);
    const file = path.join(tmp, 'diff.html');
    writeFileSync(file, diff.stdout);
    const d = await openReport(browser, file);
    expect(d.errors).toEqual([]);
    expect(d.requests).toEqual([]);
    const ndjson = cli(['diff', path.join(tmp, 'firmware-a.pcap'), path.join(tmp, 'firmware-b.pcap'), '--format', 'ndjson'])
      .stdout.trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const text = norm(await d.page.evaluate(() => document.body.innerText));
    for (const r of ndjson) {
      expect(text).toContain(r.host);
      for (const l of [...r.leaks_new, ...r.leaks_gone]) expect(text).toContain(l.value);
    }
    expect((await axeViolations(d.page)).filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
    await d.page.screenshot({ path: path.join(SCREENS, 'diff.png'), fullPage: true });
    await d.page.close();
  }, 300_000);

  it('batch --format html: every host and value of the batch records, offline, accessible', async () => {
    const inputs = [path.join(tmp, 'firmware-a.pcap'), path.join(tmp, 'firmware-b.pcap'), path.join(FIXTURES, 'captures', 'mi_browser_demo.pcap')];
    const page = cli(['batch', ...inputs, '--format', 'html', '-q', '--jobs', '2']);
    expect(page.status, page.stderr).toBe(0);
    const file = path.join(tmp, 'batch.html');
    writeFileSync(file, page.stdout);
    const records = cli(['batch', ...inputs, '--format', 'ndjson', '-q', '--jobs', '2'])
      .stdout.trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const hosts = records.filter((r) => r.type === 'host') as Host[];
    expect(hosts.length).toBeGreaterThan(0);
    const b = await openReport(browser, file);
    expect(b.errors).toEqual([]);
    expect(b.requests).toEqual([]);
    const text = norm(await b.page.evaluate(() => document.body.innerText));
    for (const r of records.filter((x) => x.type === 'capture')) expect(text).toContain(r.sha256);
    for (const h of hosts) {
      expect(text).toContain(h.host);
      for (const l of h.leaks) expect(text).toContain(norm(l.value));
    }
    const marks: string[] = await b.page.$$eval('a.mark', (els) => els.map((e) => e.getAttribute('data-location') ?? ''));
    expect(marks.sort()).toEqual(expectedLocations(hosts));
    expect((await axeViolations(b.page)).filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
    await b.page.screenshot({ path: path.join(SCREENS, 'batch.png'), fullPage: true });
    await b.page.close();
  }, 300_000);
});
