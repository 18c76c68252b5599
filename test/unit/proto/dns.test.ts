/** DNS parser: the shared dns.pcap against its truth file and tshark, truncated captures, crafted names. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnomalyLog } from '../../../src/anomaly.js';
import { DEFAULT_LIMITS, type Limits } from '../../../src/limits.js';
import { DnsTcpFramer, dnsTcpMessageLength, dnsTypeName, formatIpv6, looksLikeDns, parseDnsMessage, type DnsMessage } from '../../../src/proto/dns.js';
import { buildDnsQuery, buildDnsResponse } from '../../../test-support/synth/dns.js';
import { SHARED_CAPTURES } from '../../helpers/paths.js';
import { concat, readSegments, tcpChunks } from './tls-test-capture.js';

const limits: Limits = { ...DEFAULT_LIMITS };
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

function parse(b: Uint8Array, l: Partial<Limits> = {}): { msg: DnsMessage | undefined; log: AnomalyLog } {
  const log = new AnomalyLog();
  return { msg: parseDnsMessage(b, 0, b.length, { ...limits, ...l }, log), log };
}

/** A message with one question and one answer whose owner is a pointer to the question name. */
function withRecord(type: number, rdata: number[], qname = [3, 0x77, 0x77, 0x77, 0]): Uint8Array {
  return Uint8Array.from([
    0x12,
    0x34,
    0x81,
    0x80,
    0,
    1,
    0,
    1,
    0,
    0,
    0,
    0,
    ...qname,
    type >> 8,
    type & 255,
    0,
    1,
    0xc0,
    12,
    type >> 8,
    type & 255,
    0,
    1,
    0,
    0,
    0,
    60,
    rdata.length >> 8,
    rdata.length & 255,
    ...rdata,
  ]);
}

describe('dns.pcap (dig and c-ares against dnsmasq, UDP and TCP) matches its truth file', () => {
  interface Tx {
    transport: string;
    dns_id: number;
    qname: string;
    qtype: string;
    rcode: string;
    answers: { name: string; ttl: number; type: string; data: string }[];
  }
  const truth = (JSON.parse(readFileSync(path.join(SHARED_CAPTURES, 'dns.truth.json'), 'utf8')) as { dns_transactions: Tx[] }).dns_transactions;
  const segs = readSegments(path.join(SHARED_CAPTURES, 'dns.pcap'));
  const log = new AnomalyLog();
  const responses: { frame: number; transport: string; msg: DnsMessage }[] = [];
  let queries = 0;
  for (const s of segs) {
    if (s.proto !== 17) continue;
    const msg = parseDnsMessage(s.payload, 0, s.payload.length, limits, log)!;
    if (msg.isResponse) responses.push({ frame: s.frame, transport: 'udp', msg });
    else queries++;
  }
  const tcpStreams = new Map<string, { sport: number; dport: number }>();
  for (const s of segs) if (s.proto === 6 && s.payload.length > 0) tcpStreams.set(`${s.sport}>${s.dport}`, { sport: s.sport, dport: s.dport });
  for (const { sport, dport } of tcpStreams.values()) {
    let frame = 0;
    const framer = new DnsTcpFramer(limits, log, (msg) => (msg.isResponse ? responses.push({ frame, transport: 'tcp', msg }) : queries++));
    for (const c of tcpChunks(segs, sport, dport)) {
      frame = c.frame;
      framer.push(c.bytes);
    }
  }

  it('answers all 21 transactions with no anomalies', () => {
    expect(truth).toHaveLength(21);
    expect(responses).toHaveLength(21);
    expect(queries).toBe(21);
    expect(log.countsObject()).toEqual({});
  });

  it.each(truth.map((t) => [`${t.transport} ${t.qname.slice(0, 40)} ${t.qtype}`, t] as const))('%s', (_n, t) => {
    const r = responses.find((x) => x.msg.id === t.dns_id && x.transport === t.transport)!;
    expect(r).toBeDefined();
    const m = r.msg;
    expect(m.complete).toBe(true);
    expect(m.questions.map((q) => [q.name, q.typeName])).toEqual([[t.qname, t.qtype]]);
    expect(m.rcodeName).toBe(t.rcode);
    expect(m.answers.map((a) => ({ name: a.name, ttl: a.ttl, type: a.typeName, data: a.data }))).toEqual(t.answers);
  });

  it('agrees with tshark (oracle/dns.pcap.dns.tsv: frame, qname, sorted A/AAAA)', () => {
    const want = readFileSync(path.join(SHARED_CAPTURES, 'oracle', 'dns.pcap.dns.tsv'), 'utf8')
      .split('\n')
      .filter(Boolean);
    const got = responses
      .sort((a, b) => a.frame - b.frame)
      .map((r) =>
        [
          r.frame,
          r.msg.questions[0]?.name ?? '',
          r.msg.answers
            .filter((a) => a.type === 1 || a.type === 28)
            .map((a) => a.data)
            .sort()
            .join(','),
        ].join('\t'),
      );
    expect(got).toEqual(want);
  });

  it('frames each TCP direction identically at every split position', () => {
    for (const { sport, dport } of tcpStreams.values()) {
      const bytes = concat(tcpChunks(segs, sport, dport));
      const run = (cut: number): unknown[] => {
        const out: DnsMessage[] = [];
        const f = new DnsTcpFramer(limits, log, (m) => out.push(m));
        f.push(bytes.subarray(0, cut));
        f.push(bytes.subarray(cut));
        expect(f.pendingBytes).toBe(0);
        return out;
      };
      const whole = run(bytes.length);
      expect(whole).toHaveLength(1);
      for (let i = 0; i < bytes.length; i++) expect(run(i)).toEqual(whole);
    }
    expect(log.total).toBe(0);
  });
});

describe('truncated messages keep what was parsed', () => {
  it('dpkt__truncated_dns.pcap frame 1: snaplen 200 of 238 cuts the 7th answer in its fixed fields', () => {
    // udp.payload of frame 1 (caplen 200, len 238): A api.spd.samsungdm.com → CNAME + 8 A, cut in the 7th record
    const b = hex(
      `f8d38180000100090000000003617069037370640973616d73756e67646d03636f6d0000010001c00c000500010000012c0011036170690a73616d73756e67737064c01ec033000100010000003c0004364b8da1c033000100010000003c00046351fb0cc033000100010000003c0004343279f4c033000100010000003c000434d2c1cfc033000100010000003c000434329fccc033000100010000003c`,
    );
    const { msg, log } = parse(b);
    expect(msg!.complete).toBe(false);
    expect(msg!.questions[0]!.name).toBe('api.spd.samsungdm.com');
    expect(msg!.answers.map((a) => a.data)).toEqual([
      'api.samsungspd.com',
      '54.75.141.161',
      '99.81.251.12',
      '52.50.121.244',
      '52.210.193.207',
      '52.50.159.204',
    ]);
    expect(log.kept.map((a) => [a.code, a.detail])).toEqual([['dns_truncated', 'record']]); // cut inside the 7th record's fixed fields
  });

  it('dpkt__truncated_dns_2.pcap frame 1: answers kept, the authority section cut', () => {
    // udp.payload of frame 1 (caplen 200, len 282)
    const b = hex(
      `e3d5818000010002000400010f6d7963656c69756d2d77616c6c657402733309616d617a6f6e61777303636f6d0000010001c00c0005000100009f7c00090673332d312d77c01fc03e0001000100000003000434d96504c03e00020001000005430017076e732d3130333509617773646e732d3031036f726700c03e00020001000005430013066e732d32393409617773646e732d3336c029c03e000200`,
    );
    const { msg, log } = parse(b);
    expect(msg!.answers.map((a) => [a.typeName, a.name, a.data])).toEqual([
      ['CNAME', 'mycelium-wallet.s3.amazonaws.com', 's3-1-w.amazonaws.com'],
      ['A', 's3-1-w.amazonaws.com', '52.217.101.4'],
    ]);
    expect(msg!.authorities.map((a) => a.data)).toEqual(['ns-1035.awsdns-01.org', 'ns-294.awsdns-36.com']);
    expect(msg!.complete).toBe(false);
    expect(log.kept.map((a) => a.code)).toEqual(['dns_truncated']);
  });

  it('a header cut short gives undefined and an anomaly', () => {
    const { msg, log } = parse(hex('f8d3818000'));
    expect(msg).toBeUndefined();
    expect(log.kept.map((a) => [a.code, a.detail])).toEqual([['dns_truncated', 'header']]);
  });
});

describe('names', () => {
  it('prints labels as tshark 4.0 does (dots and spaces kept, controls escaped, bad UTF-8 as U+FFFD)', () => {
    // labels "a.b", "x y", "c\x01d", "e\xffz", "b\\s", "tab\tq", "\x7f", "ü", "com"; tshark printed
    // a.b.x y.c\001d.e�z.b\s.com for the first six on a crafted packet
    const labels = [
      [0x61, 0x2e, 0x62],
      [0x78, 0x20, 0x79],
      [0x63, 0x01, 0x64],
      [0x65, 0xff, 0x7a],
      [0x62, 0x5c, 0x73],
      [0x74, 0x09, 0x71],
      [0x7f],
      [0xc3, 0xbc],
      [0x63, 0x6f, 0x6d],
    ];
    const q = [...labels.flatMap((l) => [l.length, ...l]), 0];
    const { msg, log } = parse(Uint8Array.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, ...q, 0, 1, 0, 1]));
    expect(log.total).toBe(0);
    expect(msg!.questions[0]!.name).toBe('a.b.x y.c\\001d.e\uFFFDz.b\\s.t\\tq.\\177.ü.com');
  });

  it('the root name is <Root>', () => {
    const { msg } = parse(Uint8Array.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1]));
    expect(msg!.questions[0]!.name).toBe('<Root>');
    expect(msg!.questions[0]!.typeName).toBe('NS');
  });

  it('follows a forward pointer (legal, if unusual)', () => {
    // question name = pointer to offset 17, where "abc" + root sits after the question's type/class
    // 12: question name = pointer forward to 18, where the answer's owner name "abc" is written out
    const b = Uint8Array.from([
      0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 0xc0, 18, 0, 1, 0, 1, 3, 0x61, 0x62, 0x63, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 1, 2, 3, 4,
    ]);
    const { msg, log } = parse(b);
    expect(log.total).toBe(0);
    expect(msg!.questions[0]!.name).toBe('abc');
    expect(msg!.answers[0]!.data).toBe('1.2.3.4');
  });

  it.each([
    ['a pointer to itself', [0xc0, 12]],
    ['two pointers to each other', [0xc0, 14, 0xc0, 12]],
    ['a label then a pointer back to it', [1, 0x61, 0xc0, 12]],
  ])('reports a compression loop: %s', (_n, name) => {
    const { msg, log } = parse(Uint8Array.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, ...name, 0, 1, 0, 1]));
    expect(msg!.questions).toHaveLength(0);
    expect(msg!.complete).toBe(false);
    expect(log.kept.map((a) => a.code)).toEqual(['dns_compression_loop']);
  });

  it('caps pointer hops (a long backwards chain is not a loop)', () => {
    // 12: question name = pointer to the last link; 18: "a" + root; 21…: 20 pointers, each to the one before
    const links = 20;
    const chain: number[] = [];
    for (let i = 0; i < links; i++) chain.push(0xc0, i === 0 ? 18 : 21 + 2 * (i - 1));
    const last = 21 + 2 * (links - 1);
    const b = Uint8Array.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, last, 0, 1, 0, 1, 1, 0x61, 0, ...chain]);
    const capped = parse(b, { maxDnsCompressionHops: 8 });
    expect(capped.msg!.questions).toHaveLength(0);
    expect(capped.log.kept.map((a) => [a.code, a.detail])).toEqual([['limit_reached', 'maxDnsCompressionHops']]);
    const ok = parse(b, { maxDnsCompressionHops: 32 });
    expect(ok.log.total).toBe(0);
    expect(ok.msg!.questions[0]!.name).toBe('a');
  });

  it('rejects a name longer than 255 bytes and a reserved label type', () => {
    const long = Array.from({ length: 5 }, () => [63, ...new Array(63).fill(0x61)]).flat();
    const a = parse(Uint8Array.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, ...long, 0, 0, 1, 0, 1]));
    expect(a.log.kept.map((x) => [x.code, x.detail])).toEqual([['dns_name_malformed', 'name longer than 255 bytes']]);
    const r = parse(Uint8Array.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x41, 0, 0, 1, 0, 1]));
    expect(r.log.kept.map((x) => [x.code, x.detail])).toEqual([['dns_name_malformed', 'reserved label type']]);
  });
});

describe('records', () => {
  it('HTTPS (type 65): priority, target, alpn, port and hints, as tshark shows them', () => {
    // crafted; tshark 4.0 -V shows: SvcPriority 1, TargetName <Root>, alpn=h3,h2, port=443,
    // ipv4hint=198.51.100.10, ipv6hint=2001:db8::10
    const b = hex(
      'beef8180000100010000000008747261636b696e67046d69756903636f6d0000410001c00c004100010000003c002f000100000100060268330268320003000201bb00040004c633640a0006001020010db8000000000000000000000010',
    );
    const { msg, log } = parse(b);
    expect(log.total).toBe(0);
    expect(msg!.questions[0]!.typeName).toBe('HTTPS');
    expect(msg!.answers.map((a) => [a.typeName, a.ttl, a.data])).toEqual([
      ['HTTPS', 60, '1 . alpn=h3,h2 port=443 ipv4hint=198.51.100.10 ipv6hint=2001:db8::10'],
    ]);
  });

  it.each([
    ['MX', 15, [0, 10, 4, 0x6d, 0x61, 0x69, 0x6c, 0xc0, 12], '10 mail.www'],
    ['TXT', 16, [2, 0x68, 0x69, 3, 0x61, 0x6c, 0x6c], 'hiall'],
    ['PTR', 12, [0xc0, 12], 'www'],
    ['SVCB alias mode', 64, [0, 0, 3, 0x63, 0x64, 0x6e, 0], '0 cdn'],
    ['unknown type', 999, [1, 2, 3], ''],
  ])('%s', (_n, type, rdata, want) => {
    const { msg, log } = parse(withRecord(type, rdata));
    expect(log.total).toBe(0);
    expect(msg!.answers[0]!.data).toBe(want);
  });

  it('reports an A record whose RDATA is not 4 bytes and keeps going', () => {
    const { msg, log } = parse(withRecord(1, [1, 2, 3]));
    expect(msg!.answers[0]!.data).toBe('');
    expect(msg!.complete).toBe(true);
    expect(log.kept.map((a) => [a.code, a.detail])).toEqual([['dns_record_malformed', 'A']]);
  });

  it('caps records per message', () => {
    const b = buildDnsResponse(
      7,
      'x.com',
      'A',
      Array.from({ length: 6 }, (_, i) => ({ name: 'x.com', type: 'A' as const, data: `10.0.0.${i}` })),
    );
    const { msg, log } = parse(b, { maxDnsRecords: 4 });
    expect(msg!.answers).toHaveLength(3);
    expect(msg!.complete).toBe(false);
    expect(log.kept.map((a) => a.detail)).toEqual(['maxDnsRecords']);
  });

  it('names rcodes and types like tshark', () => {
    expect(parse(buildDnsResponse(1, 'a.com', 'A', [], 'NXDOMAIN')).msg!.rcodeName).toBe('NXDOMAIN');
    expect(parse(buildDnsResponse(1, 'a.com', 'HTTPS', [], 'REFUSED')).msg!.rcodeName).toBe('REFUSED');
    expect(parse(buildDnsResponse(1, 'a.com', 'A', [], 'SERVFAIL')).msg!.rcodeName).toBe('SERVFAIL');
    expect([1, 28, 5, 65, 64, 12, 15, 16, 2, 6, 255, 4242].map(dnsTypeName)).toEqual([
      'A',
      'AAAA',
      'CNAME',
      'HTTPS',
      'SVCB',
      'PTR',
      'MX',
      'TXT',
      'NS',
      'SOA',
      'ANY',
      'TYPE4242',
    ]);
  });
});

describe('formatIpv6 prints AAAA data as tshark does', () => {
  // each expectation is tshark 4.0's dns.aaaa for the same 16 bytes in a crafted answer
  it.each([
    ['00000000000000000000ffff01020304', '::ffff:1.2.3.4'],
    ['00000000000000000000000001020304', '::1.2.3.4'],
    ['00000000000000000000000000000001', '::1'],
    ['00000000000000000000000000000002', '::2'],
    ['00000000000000000000ffff00000001', '::ffff:0.0.0.1'],
    ['0000000000000000ffff000001020304', '::ffff:0:102:304'],
    ['20010db8000000000001000000000001', '2001:db8::1:0:0:1'],
    ['20010db8000000010000000000000001', '2001:db8:0:1::1'],
    ['20010000000000000000000000000000', '2001::'],
    ['00010000000000000000000000000000', '1::'],
    ['20010db80000aabb0001000200030004', '2001:db8:0:aabb:1:2:3:4'],
  ])('%s → %s', (h, want) => {
    expect(formatIpv6(hex(h), 0)).toBe(want);
  });
});

describe('looksLikeDns', () => {
  it.each([
    ['a query', buildDnsQuery(0x1234, 'tracking.intl.miui.com'), true],
    ['a response', buildDnsResponse(0x1234, 'a.miui.com', 'A', [{ name: 'a.miui.com', type: 'A', data: '198.51.100.1' }]), true],
    // the first bytes of RFC 9001 A.2's client Initial: version 00000001 then DCID length 8 → qdcount 0x0108
    [
      'a QUIC Initial',
      hex('c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11d242b123dc9bd8bab936b47d92ec356c0bab7df5976d27cd449f63300099f399'),
      false,
    ],
    ['HTTP text', new TextEncoder().encode('GET / HTTP/1.1\r\nHost: a\r\n\r\n'), false],
    ['an SSDP search', new TextEncoder().encode('M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n\r\n'), false],
    ['a query with trailing bytes', Uint8Array.from([...buildDnsQuery(1, 'a.com'), 1, 2, 3]), false],
    ['a header only', buildDnsQuery(1, 'a.com').subarray(0, 12), false],
  ])('%s → %s', (_n, b, want) => {
    expect(looksLikeDns(b, 0, b.length)).toBe(want);
  });

  it('accepts an mDNS response (class with the cache-flush bit), parsed like DNS; the caller tells it by port 5353', () => {
    const b = Uint8Array.from([
      0, 0, 0x84, 0, 0, 1, 0, 1, 0, 0, 0, 0, 5, 0x70, 0x68, 0x6f, 0x6e, 0x65, 5, 0x6c, 0x6f, 0x63, 0x61, 0x6c, 0, 0, 1, 0x80, 1, 0xc0, 12, 0, 1, 0x80, 1, 0, 0,
      0, 120, 0, 4, 192, 168, 1, 7,
    ]);
    expect(looksLikeDns(b, 0, b.length)).toBe(true);
    const { msg } = parse(b);
    expect(msg!.answers.map((a) => [a.name, a.class, a.data])).toEqual([['phone.local', 0x8001, '192.168.1.7']]);
  });
});

describe('DnsTcpFramer', () => {
  it('splits several messages pushed byte by byte, and skips an empty one with an anomaly', () => {
    const m1 = buildDnsQuery(1, 'a.com'),
      m2 = buildDnsResponse(1, 'a.com', 'A', [{ name: 'a.com', type: 'A', data: '1.2.3.4' }]);
    const stream = Uint8Array.from([0, m1.length, ...m1, 0, 0, 0, m2.length, ...m2]);
    expect(dnsTcpMessageLength(stream, 0, 1)).toBe(-1);
    expect(dnsTcpMessageLength(stream, 0, stream.length)).toBe(2 + m1.length);
    const log = new AnomalyLog();
    const got: DnsMessage[] = [];
    const f = new DnsTcpFramer(limits, log, (m) => got.push(m));
    for (let i = 0; i < stream.length; i++) f.push(stream.subarray(i, i + 1));
    expect(got.map((m) => [m.id, m.isResponse, m.answers.map((a) => a.data)])).toEqual([
      [1, false, []],
      [1, true, ['1.2.3.4']],
    ]);
    expect(log.kept.map((a) => [a.code, a.detail])).toEqual([['dns_truncated', 'empty TCP message']]);
    expect(f.pendingBytes).toBe(0);
  });
});

describe('DnsTcpFramer after a capture gap', () => {
  it('parses what came before the gap, then stops: length prefixes cannot be found again', () => {
    const q1 = buildDnsQuery(1, 'a.example');
    const q2 = buildDnsQuery(2, 'b.example');
    const join = (parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
    const framed = (m: Uint8Array) => join([Uint8Array.from([m.length >> 8, m.length & 255]), m]);
    const log = new AnomalyLog();
    const out: DnsMessage[] = [];
    const f = new DnsTcpFramer(limits, log, (m) => out.push(m));
    f.push(join([framed(q1), framed(q2).subarray(0, 7)]));
    f.gap(10);
    f.push(framed(q2).subarray(17));
    f.push(framed(buildDnsQuery(3, 'c.example')));
    expect(out.map((m) => m.id)).toEqual([1]);
    expect(log.kept.map((a) => a.code)).toEqual(['dns_tcp_gap']);
  });
});
