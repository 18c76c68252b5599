/**
 * HTTPDNS over HTTPS with HTTP/2 (okhttp speaks h2 to a server that offers it, and asks for gzip
 * by itself): with the key log, the lookups inside are `dns` records with transport `httpdns`,
 * as over plaintext HTTP/1.1 (test/integration/xiaomi-push.test.ts) — a gzip-encoded Alibaba
 * answer decoded, a query left unanswered reported with rcode null — and the answer names the
 * connection without SNI that follows. The capture is written by the project's generators
 * (test-support/keyed-tls.ts encrypts as a TLS 1.3 server would, with the secrets it logs).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { data, headers, HTTP2_PREFACE, settings } from '../../test-support/http2-frames.js';
import { concat, keyedSession } from '../../test-support/keyed-tls.js';
import { buildAppDataRecord, buildClientHelloRecord, buildServerHelloRecord } from '../../test-support/synth/tls.js';
import { writePcapFile } from '../../test-support/synth/pcap-file.js';
import { TrafficBuilder } from '../../test-support/synth/session.js';
import { REPO_ROOT } from '../helpers/paths.js';

const work = mkdtempSync(path.join(tmpdir(), 'leakscope-httpdns-h2-'));
const file = path.join(work, 'httpdns-h2.pcap');
const keys = path.join(work, 'httpdns-h2.keys');
afterAll(() => rmSync(work, { recursive: true, force: true }));

beforeAll(async () => {
  const keyLog: string[] = [];
  const answer = gzipSync('{"host":"api.io.mi.com","ips":["161.117.71.36"],"ipsv6":[],"ttl":60,"origin_ttl":60}');
  const get = (stream: number, name: string) =>
    headers(
      stream,
      [
        [':method', 'GET'],
        [':scheme', 'https'],
        [':authority', '203.107.1.33'],
        [':path', `/100000/d?host=${name}`],
        ['user-agent', 'okhttp/3.12.1'],
        ['accept-encoding', 'gzip'],
      ],
      true,
    );
  const session = keyedSession({
    version: '1.3',
    serverName: '203.107.1.33',
    alpn: 'h2',
    seed: 4242,
    exchange: [
      { from: 'client', data: concat([HTTP2_PREFACE, settings(), ...get(1, 'api.io.mi.com'), ...get(3, 'account.xiaomi.com')]) },
      {
        from: 'server',
        data: concat([
          settings(),
          settings(),
          ...headers(
            1,
            [
              [':status', '200'],
              ['content-type', 'application/json'],
              ['content-encoding', 'gzip'],
            ],
            false,
          ),
          ...data(1, answer, true),
        ]),
      },
    ],
  });
  keyLog.push(...session.keyLog);
  await writePcapFile(file, (sink) => {
    const t = new TrafficBuilder(sink, 1_767_225_600);
    const phone = (port: number) => ({ ip: '192.168.1.23', port });
    t.tcpConnection(phone(43001), { ip: '203.107.1.33', port: 443 }, session.messages);
    // the address the answer gave, reached without a name of its own
    t.tcpConnection(phone(43002), { ip: '161.117.71.36', port: 443 }, [
      { from: 'client', data: buildClientHelloRecord({ tls13: true, seed: 31 }) },
      { from: 'server', data: buildServerHelloRecord('1.3', 32) },
      { from: 'client', data: buildAppDataRecord(300, 33) },
    ]);
  });
  writeFileSync(keys, keyLog.join('\n') + '\n');
});

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'run.js'), ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe('HTTPDNS over HTTP/2, decrypted', () => {
  it('each lookup is a dns record with transport httpdns: the gzip-encoded answer read, the unanswered one with rcode null', () => {
    const dns = cli('events', file, '--keylog', keys, '--type', 'dns', '--format', 'ndjson')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(dns.map((d) => ({ transport: d.transport, qname: d.qname, rcode: d.rcode, answers: d.answers, carrier: d.carrier }))).toEqual([
      { transport: 'httpdns', qname: 'api.io.mi.com', rcode: 'NOERROR', answers: ['161.117.71.36'], carrier: 'tls' },
      { transport: 'httpdns', qname: 'account.xiaomi.com', rcode: null, answers: [], carrier: 'tls' },
    ]);
  });

  it('the answer names the connection to its address that follows, seen as httpdns', () => {
    const report = JSON.parse(cli('analyze', file, '--keylog', keys, '--all-hosts', '--format', 'json'));
    const hosts = report.captures?.[0]?.hosts ?? report.hosts;
    const named = hosts.find((h: { host: string }) => h.host === 'api.io.mi.com');
    expect(named).toBeDefined();
    expect(named.seen_as).toContain('httpdns');
    expect(named.flows).toBe(1);
    // without the keys the lookup stays unread: the address is only an address
    const without = JSON.parse(cli('analyze', file, '--all-hosts', '--format', 'json'));
    const plainHosts = without.captures?.[0]?.hosts ?? without.hosts;
    expect(plainHosts.some((h: { host: string }) => h.host === 'api.io.mi.com')).toBe(false);
  });
});
