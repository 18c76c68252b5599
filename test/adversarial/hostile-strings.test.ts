/**
 * Attacker-controlled strings, end to end: prototype keys in payloads must never reach object
 * prototypes, and terminal escape sequences in SNI, Host, URIs and leaked values must be
 * neutralised in table output and kept inside their field in CSV.
 */
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../src/engine/analyze.js';
import type { Observation } from '../../src/engine/observations.js';
import { EVENT_SCHEMA } from '../../src/report/schemas/event.js';
import { HOST_SCHEMA, type HostCsvPart } from '../../src/report/schemas/host.js';
import type { HostRecord } from '../../src/engine/hosts.js';
import { createWriter, type Format } from '../../src/report/writers/index.js';
import { StringSink } from '../../src/report/sink.js';
import { tcpFlags } from '../../test-support/synth/packets.js';
import { TcpConversation, pcapOf, scanBytes } from './helpers.js';

const enc = new TextEncoder();
const u16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];
const u24 = (n: number) => [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];

/** a ClientHello record whose server_name carries arbitrary bytes */
function helloWithSni(name: Uint8Array): Uint8Array {
  const entry = [0, ...u16(name.length), ...name];
  const exts = [...u16(0), ...u16(entry.length + 2), ...u16(entry.length), ...entry];
  const body = [...u16(0x0303), ...new Array(32).fill(9), 0, ...u16(2), ...u16(0x1301), 1, 0, ...u16(exts.length), ...exts];
  const hs = [1, ...u24(body.length), ...body];
  return Uint8Array.from([22, 3, 1, ...u16(hs.length), ...hs]);
}

function httpPost(port: number, host: string, uri: string, contentType: string, body: string): Uint8Array[] {
  const b = enc.encode(body);
  return new TcpConversation(port, 80)
    .handshake()
    .client(concat(enc.encode(`POST ${uri} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: ${contentType}\r\nContent-Length: ${b.length}\r\n\r\n`), b))
    .server('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')
    .client('', tcpFlags.FIN | tcpFlags.ACK).frames;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

const source = (bytes: Uint8Array) => [{ name: 'hostile.pcap', source: Readable.from([Buffer.from(bytes)]) }];

// raw control characters a terminal would act on: ESC (CSI, OSC), BEL, and the bidi override
const ESC = '\x1b';
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f\x9b\u202e]/;

describe('prototype keys in payloads', () => {
  afterEach(() => {
    delete (Object.prototype as Record<string, unknown>).polluted;
  });

  it('__proto__ and constructor.prototype keys in JSON and form bodies, and as host names, never reach Object.prototype', async () => {
    const json = JSON.stringify({ properties: { imei: '864811045123671' } }).replace(
      '{',
      '{"__proto__":{"polluted":"json"},"constructor":{"prototype":{"polluted":"ctor"}},',
    );
    const capture = pcapOf([
      ...httpPost(41000, 'sa.api.intl.miui.com', '/sa?project=global_browser', 'application/json', json),
      ...httpPost(
        41001,
        'sa.api.intl.miui.com',
        '/sa?project=global_browser',
        'application/x-www-form-urlencoded',
        '__proto__[polluted]=form&constructor[prototype][polluted]=form2&imei=864811045123671',
      ),
      ...httpPost(41002, '__proto__', '/__proto__?__proto__=1', 'application/json', '{"__proto__":{"polluted":"host"}}'),
      ...httpPost(41003, 'constructor', '/?constructor[prototype][polluted]=q', 'text/plain', 'x'),
    ]);
    const result = await analyzeCaptures(source(capture), { allHosts: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
    const hosts = result.hosts.map((h) => h.host).sort();
    expect(hosts).toEqual(expect.arrayContaining(['__proto__', 'constructor', 'sa.api.intl.miui.com']));
    // the real leak in the same bodies is still found
    const sa = result.hosts.find((h) => h.host === 'sa.api.intl.miui.com')!;
    expect(sa.leaks.find((l) => l.kind === 'imei')?.value).toBe('864811045123671');
    // and the records are plain data: serialising them shows no inherited junk
    expect(JSON.stringify(result)).not.toContain('"polluted"');
  });
});

describe('escape sequences in captured strings', () => {
  const sni = `evil${ESC}[2J${ESC}]0;pwned\x07.example`;
  const host = `host${ESC}[31m.example`;
  const uri = `/p?q=${ESC}[1mbold\x07&r=\u202eexe.txt`;
  const capture = pcapOf([
    ...new TcpConversation(41100, 443)
      .handshake()
      .client(helloWithSni(enc.encode(sni)))
      .client('', tcpFlags.FIN | tcpFlags.ACK).frames,
    ...httpPost(41101, host, uri, 'application/x-www-form-urlencoded', `q=%1B%5B41mshout&imei=864811045123671`),
  ]);

  async function eventsIn(format: Format): Promise<{ text: string; observations: Observation[] }> {
    const s = await scanBytes(capture);
    const sink = new StringSink();
    const w = await createWriter<Observation>(format, sink, { ...EVENT_SCHEMA, table: { maxCell: 500 } });
    for (const o of s.observations) w.write(o);
    w.end();
    return { text: sink.text, observations: s.observations };
  }

  it('the hostile SNI, Host and URI are reported exactly as sent (evidence is not altered)', async () => {
    const { observations } = await eventsIn('ndjson');
    const tls = observations.find((o) => o.type === 'tls');
    const http = observations.find((o) => o.type === 'http');
    expect(tls?.type === 'tls' && tls.sni).toBe(sni);
    expect(http?.type === 'http' && [http.host, http.uri]).toEqual([host, uri]);
  });

  it('events table: no raw control character reaches the terminal; ESC is shown as \\x1b', async () => {
    const { text } = await eventsIn('table');
    expect(RAW_CONTROL.test(text)).toBe(false);
    expect(text).toContain('evil\\x1b[2J\\x1b]0;pwned\\x07.example');
    expect(text).toContain('host\\x1b[31m.example');
    expect(text).toContain('\\u202eexe.txt');
  });

  it('events ndjson and json: control characters are JSON escapes, one record per line', async () => {
    const nd = (await eventsIn('ndjson')).text;
    expect(nd).not.toContain(ESC);
    expect(
      nd
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).type),
    ).toEqual(['tls', 'http', 'http_response']);
    expect((await eventsIn('json')).text).not.toContain(ESC);
  });

  it('analyze table: hosts and leaked values with escape sequences are escaped', async () => {
    const result = await analyzeCaptures(source(capture), { allHosts: true });
    const sink = new StringSink();
    const w = await createWriter<HostRecord, HostCsvPart>('table', sink, HOST_SCHEMA);
    for (const h of result.hosts) w.write(h);
    w.end();
    expect(result.hosts.map((h) => h.host)).toEqual(expect.arrayContaining([host]));
    expect(RAW_CONTROL.test(sink.text)).toBe(false);
    expect(sink.text).toContain('host\\x1b[31m.example');
  });

  it('events csv: a field with CR or LF is quoted, so a hostile SNI cannot forge rows', async () => {
    const crlfSni = 'a.example\r\nforged,row,"x"';
    const s = await scanBytes(
      pcapOf(
        new TcpConversation(41200, 443)
          .handshake()
          .client(helloWithSni(enc.encode(crlfSni)))
          .client('', tcpFlags.FIN | tcpFlags.ACK).frames,
      ),
    );
    const sink = new StringSink();
    const w = await createWriter<Observation>('csv', sink, EVENT_SCHEMA);
    for (const o of s.observations) w.write(o);
    w.end();
    // header + one record: the record's CRLF sits inside a quoted field
    const records = sink.text.split(/\r\n(?=(?:[^"]*"[^"]*")*[^"]*$)/).filter((l) => l.length > 0);
    expect(records).toHaveLength(2);
    expect(records[1]).toContain('"a.example\r\nforged,row,""x""');
  });

  // src/report/writers/csv.ts csvField() used to quote only fields holding `",\r\n`, letting ESC
  // and other control characters go out bare; it now quotes on any C0 control or DEL.
  it('events and analyze csv: every field holding a control character is quoted (src/report/writers/csv.ts csvField)', async () => {
    const sink = new StringSink();
    const w = await createWriter<Observation>('csv', sink, EVENT_SCHEMA);
    for (const o of (await scanBytes(capture)).observations) w.write(o);
    w.end();
    const result = await analyzeCaptures(source(capture), { allHosts: true });
    const hostSink = new StringSink();
    const hw = await createWriter<HostRecord, HostCsvPart>('csv', hostSink, HOST_SCHEMA);
    for (const h of result.hosts) hw.write(h);
    hw.end();
    for (const text of [sink.text, hostSink.text]) {
      const bare = text
        .split(/\r\n/)
        .flatMap((line) => line.split(','))
        .filter((f) => RAW_CONTROL.test(f) && !f.startsWith('"'));
      expect(bare).toEqual([]);
    }
  });
});
