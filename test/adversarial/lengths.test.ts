/**
 * Length fields that lie and zero-length loops, end to end through scanCapture: each hostile
 * record is followed by a good DNS lookup, which must still be reported (the pipeline is not
 * wedged), and the lie must surface as its named anomaly — never as an exception or a hang.
 */
import { describe, expect, it } from 'vitest';
import { PcapWriter, concatBytes } from '../../src/capture/writer.js';
import { buildDnsQuery, buildDnsResponse } from '../../test-support/synth/dns.js';
import { ETHERTYPE, IP_PROTO, ethernet, ipv4, ipv6, tcp, tcpFlags, udp } from '../../test-support/synth/packets.js';
import { CLIENT, SERVER, T0, TcpConversation, pcapOf, scanBytes, udpFrame, type Scanned } from './helpers.js';

const enc = new TextEncoder();
const u16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];
const u24 = (n: number) => [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];

/** the good lookup every case ends with */
const goodLookup = [
  udpFrame(true, 46000, 53, buildDnsQuery(0x4242, 'still.works.example')),
  udpFrame(false, 53, 46000, buildDnsResponse(0x4242, 'still.works.example', 'A', [{ name: 'still.works.example', type: 'A', data: '203.0.113.7' }])),
];

async function scanWithGoodLookup(frames: Uint8Array[]): Promise<Scanned & { counts: Record<string, number> }> {
  const s = await scanBytes(pcapOf([...frames, ...goodLookup]));
  expect(s.error).toBeUndefined();
  const counts = s.result!.anomalies.countsObject();
  expect(counts.internal_decoder_error).toBeUndefined();
  const dns = s.observations.filter((o) => o.type === 'dns' && o.qname === 'still.works.example');
  expect(dns.map((o) => (o.type === 'dns' ? o.answers : []))).toEqual([['203.0.113.7']]);
  return { ...s, counts };
}

function limitDetails(s: Scanned): string[] {
  return s.result!.anomalies.kept.filter((a) => a.code === 'limit_reached').map((a) => a.detail ?? '');
}

/** A TLS record holding one ClientHello whose extensions block is `exts` (raw bytes). */
function clientHello(exts: number[], fix: { recordLen?: number; handshakeLen?: number; extsLen?: number } = {}): Uint8Array {
  const body = [...u16(0x0303), ...new Array(32).fill(7), 0, ...u16(2), ...u16(0x1301), 1, 0, ...u16(fix.extsLen ?? exts.length), ...exts];
  const hs = [1, ...u24(fix.handshakeLen ?? body.length), ...body];
  return Uint8Array.from([22, 3, 1, ...u16(fix.recordLen ?? hs.length), ...hs]);
}

function sni(name: string): number[] {
  const n = [...enc.encode(name)];
  const entry = [0, ...u16(n.length), ...n];
  return [...u16(0), ...u16(entry.length + 2), ...u16(entry.length), ...entry];
}

function tlsConversation(record: Uint8Array, port: number): Uint8Array[] {
  return new TcpConversation(port, 443)
    .handshake()
    .client(record)
    .client('', tcpFlags.FIN | tcpFlags.ACK).frames;
}

/** A DNS response to `id` with raw bytes after the 12-byte header. */
function dnsRaw(id: number, counts: [number, number, number, number], rest: number[]): Uint8Array {
  return Uint8Array.from([...u16(id), 0x81, 0x80, ...counts.flatMap(u16), ...rest]);
}

describe('length fields that lie', () => {
  it('caplen above the file snaplen: read anyway, pcap_caplen_exceeds_snaplen', async () => {
    const w = new PcapWriter({ snaplen: 64 });
    const frame = goodLookup[0];
    expect(frame.length).toBeGreaterThan(64);
    const s = await scanBytes(concatBytes([w.header(), ...goodLookup.map((data, i) => w.packet({ tsSec: T0, tsNsec: i * 1000, data }))]));
    expect(s.result!.read.frames).toBe(2);
    expect(s.result!.anomalies.countsObject().pcap_caplen_exceeds_snaplen).toBe(2);
    expect(s.observations.map((o) => (o.type === 'anomaly' ? `${o.code}@${o.frame}` : o.type))).toEqual([
      'pcap_caplen_exceeds_snaplen@1',
      'pcap_caplen_exceeds_snaplen@2',
      'dns',
    ]);
  });

  it('caplen of 2^31 (a corrupt record header): reading stops with damage, the frames before it are kept', async () => {
    const w = new PcapWriter();
    const bad = w.packet({ tsSec: T0, tsNsec: 0, data: new Uint8Array(40) });
    new DataView(bad.buffer).setUint32(8, 0x80000000, true);
    const s = await scanBytes(concatBytes([w.header(), ...goodLookup.map((data, i) => w.packet({ tsSec: T0, tsNsec: i * 1000, data })), bad]));
    expect(s.error).toBeUndefined();
    expect(s.result!.read.frames).toBe(2);
    expect(s.result!.read.damage).toMatchObject({ frame: 2 });
    expect(s.result!.anomalies.countsObject().pcap_caplen_exceeds_limit).toBe(1);
    expect(s.observations.map((o) => (o.type === 'anomaly' ? `${o.code}@${o.frame}` : o.type))).toEqual([
      'dns',
      'limit_reached@0',
      'pcap_caplen_exceeds_limit@0',
    ]);
  });

  it('IPv4 header length below 5 words: ipv4_header_length_lt_20', async () => {
    const ends = { src: CLIENT, dst: SERVER };
    const bad = ethernet(
      { type: ETHERTYPE.IPV4 },
      ipv4({ ...ends, proto: IP_PROTO.TCP, ihl: 3 }, tcp({ sport: 1, dport: 80, seq: 1, flags: tcpFlags.SYN }, new Uint8Array(0), ends)),
    );
    const s = await scanWithGoodLookup([bad]);
    expect(s.counts.ipv4_header_length_lt_20).toBe(1);
  });

  it('IPv4 total length larger than the frame and smaller than the header: neither reads past the frame', async () => {
    const ends = { src: CLIENT, dst: SERVER };
    const seg = udp({ sport: 5, dport: 53 }, buildDnsQuery(9, 'lying.example'), ends);
    const s = await scanWithGoodLookup([
      ethernet({ type: ETHERTYPE.IPV4 }, ipv4({ ...ends, proto: IP_PROTO.UDP, totalLength: 0xffff }, seg)),
      ethernet({ type: ETHERTYPE.IPV4 }, ipv4({ ...ends, proto: IP_PROTO.UDP, totalLength: 12 }, seg)),
    ]);
    expect(s.counts.ipv4_total_length_lt_header).toBe(1);
  });

  it('TCP data offset below 5 words: tcp_data_offset_lt_5, and 15 words past a short segment: tcp_header_beyond_segment', async () => {
    const c = new TcpConversation(40300, 80);
    const s = await scanWithGoodLookup([
      c.segment(true, tcpFlags.SYN, new Uint8Array(0), 1, 0, { dataOffset: 2 }),
      c.segment(true, tcpFlags.SYN, new Uint8Array(4), 1, 0, { dataOffset: 15 }),
    ]);
    expect(s.counts.tcp_data_offset_lt_5).toBe(1);
    expect(s.counts.tcp_header_beyond_segment).toBe(1);
  });

  it('UDP length below 8 and beyond the IP payload: udp_length_lt_8, udp_length_beyond_ip', async () => {
    const ends = { src: CLIENT, dst: SERVER };
    const s = await scanWithGoodLookup([
      ethernet({ type: ETHERTYPE.IPV4 }, ipv4({ ...ends, proto: IP_PROTO.UDP }, udp({ sport: 5, dport: 53, length: 3 }, new Uint8Array(20), ends))),
      ethernet({ type: ETHERTYPE.IPV4 }, ipv4({ ...ends, proto: IP_PROTO.UDP }, udp({ sport: 5, dport: 53, length: 4000 }, new Uint8Array(20), ends))),
    ]);
    expect(s.counts.udp_length_lt_8).toBe(1);
    expect(s.counts.udp_length_beyond_ip).toBe(1);
  });

  it('TLS record length past the end of the stream: the complete ClientHello inside is still read, no exception', async () => {
    const record = clientHello(sni('cut.example'), { recordLen: 0x3fff });
    const s = await scanWithGoodLookup(tlsConversation(record, 40400));
    expect(s.observations.filter((o) => o.type === 'tls').map((o) => (o.type === 'tls' ? o.sni : null))).toEqual(['cut.example']);
  });

  it('TLS record length over 2^14+2048: not taken for TLS at all, no observation', async () => {
    const s = await scanWithGoodLookup(tlsConversation(clientHello(sni('huge-record.example'), { recordLen: 0xffff }), 40450));
    expect(s.observations.filter((o) => o.type === 'tls')).toEqual([]);
  });

  it('TLS handshake length larger than the record, and SNI length past its extension: tls_client_hello_malformed', async () => {
    const exts = sni('overrun.example');
    exts[7] = 0xff; // the server_name entry's name length, now past the extension
    const s = await scanWithGoodLookup([...tlsConversation(clientHello(exts), 40500)]);
    expect(s.counts.tls_client_hello_malformed).toBeGreaterThanOrEqual(1);
    expect(s.observations.filter((o) => o.type === 'tls' && o.sni === 'overrun.example')).toEqual([]);
  });

  it('TLS extensions block length past the hello: tls_client_hello_malformed names the field', async () => {
    const s = await scanWithGoodLookup(tlsConversation(clientHello(sni('ext-overrun.example'), { extsLen: 4000 }), 40550));
    expect(s.result!.anomalies.kept.filter((a) => a.code === 'tls_client_hello_malformed').length).toBeGreaterThanOrEqual(1);
  });

  it('DNS record length past the end of the message: dns_truncated (rdata), the question is still reported', async () => {
    const q = [5, ...enc.encode('rdlen'), 7, ...enc.encode('example'), 0];
    const msg = dnsRaw(0x1111, [1, 1, 0, 0], [...q, ...u16(1), ...u16(1), 0xc0, 12, ...u16(1), ...u16(1), 0, 0, 0, 60, ...u16(400), 1, 2, 3, 4]);
    const s = await scanWithGoodLookup([udpFrame(false, 53, 47000, msg)]);
    expect(s.counts.dns_truncated).toBe(1);
    expect(s.result!.anomalies.kept.find((a) => a.code === 'dns_truncated')?.detail).toBe('rdata');
  });

  it('DNS counts of 65535 with nothing after the header: dns_truncated, no loop over phantom records', async () => {
    const s = await scanWithGoodLookup([udpFrame(false, 53, 47001, dnsRaw(0x2222, [0xffff, 0xffff, 0xffff, 0xffff], []))]);
    expect(s.counts.dns_truncated).toBe(1);
  });

  it('DNS label length past the end of the message: dns_truncated (name)', async () => {
    const s = await scanWithGoodLookup([udpFrame(true, 47002, 53, dnsRaw(0x3333, [1, 0, 0, 0], [60, ...enc.encode('short')]))]);
    expect(s.result!.anomalies.kept.find((a) => a.code === 'dns_truncated')?.detail).toBe('name');
  });

  it('an HTTP chunk size that overflows 2^53: http_chunk_malformed, the request head is still reported', async () => {
    const c = new TcpConversation(40600, 80)
      .handshake()
      .client('POST /chunky HTTP/1.1\r\nHost: chunks.example\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffffffff\r\nabc\r\n0\r\n\r\n')
      .client('', tcpFlags.FIN | tcpFlags.ACK);
    const s = await scanWithGoodLookup(c.frames);
    expect(s.counts.http_chunk_malformed).toBe(1);
  });

  it('an HTTP Content-Length of 10^30: http_content_length_invalid or a body counted, never a huge allocation', async () => {
    const c = new TcpConversation(40650, 80)
      .handshake()
      .client('POST /big HTTP/1.1\r\nHost: big.example\r\nContent-Length: 1000000000000000000000000000000\r\n\r\nabc')
      .client('', tcpFlags.FIN | tcpFlags.ACK);
    const s = await scanWithGoodLookup(c.frames);
    expect((s.counts.http_content_length_invalid ?? 0) + (s.counts.http_message_incomplete ?? 0)).toBeGreaterThanOrEqual(1);
  });
});

describe('zero-length and endless loops', () => {
  it('a TCP option of length 0 stops the option walk: tcp_option_length_lt_2', async () => {
    const c = new TcpConversation(40700, 80);
    const s = await scanWithGoodLookup([c.segment(true, tcpFlags.SYN, new Uint8Array(0), 1, 0, { options: Uint8Array.from([2, 0, 0, 0, 2, 0, 0, 0]) })]);
    expect(s.counts.tcp_option_length_lt_2).toBe(1);
  });

  it('a chain of 40 empty IPv6 extension headers stops at maxIpv6ExtensionHeaders', async () => {
    const ends = { src: '2001:db8::1', dst: '2001:db8::2' };
    const frame = ethernet(
      { type: ETHERTYPE.IPV6 },
      ipv6(
        { ...ends, nextHeader: IP_PROTO.UDP, extensions: Array.from({ length: 40 }, () => ({ type: 60 })) },
        udp({ sport: 1, dport: 53 }, new Uint8Array(12), ends),
      ),
    );
    const s = await scanWithGoodLookup([frame]);
    expect(limitDetails(s)).toContain('maxIpv6ExtensionHeaders');
  });

  it('3,000 zero-length TLS extensions stop at maxTlsExtensions', async () => {
    const exts = [...sni('many-ext.example'), ...Array.from({ length: 3000 }, () => [0xff, 0xfe, 0, 0]).flat()];
    const s = await scanWithGoodLookup(tlsConversation(clientHello(exts), 40800));
    expect(limitDetails(s)).toContain('maxTlsExtensions');
  });

  it('a DNS name pointer to itself: dns_compression_loop', async () => {
    const s = await scanWithGoodLookup([udpFrame(false, 53, 47003, dnsRaw(0x4444, [1, 0, 0, 0], [0xc0, 12, ...u16(1), ...u16(1)]))]);
    expect(s.counts.dns_compression_loop).toBe(1);
  });

  it('two DNS name pointers to each other: dns_compression_loop', async () => {
    // question name at 12: label "a" then a pointer to 17; at 17: a pointer back to 12
    const s = await scanWithGoodLookup([udpFrame(false, 53, 47004, dnsRaw(0x5555, [1, 0, 0, 0], [1, 0x61, 0xc0, 17, 0, 0xc0, 12, ...u16(1), ...u16(1)]))]);
    expect(s.counts.dns_compression_loop).toBe(1);
  });

  it('a chain of 100 DNS pointers, each to the one before: limit_reached maxDnsCompressionHops', async () => {
    // offset 12: the question name, a pointer to the last pointer; 14: qtype, qclass; 18: the
    // root label; 19…: pointer k points to pointer k-1, pointer 0 to the root label
    const n = 100;
    const base = 19;
    const ptr = (target: number) => [0xc0 | (target >> 8), target & 0xff];
    const chain = Array.from({ length: n }, (_, k) => ptr(k === 0 ? 18 : base + 2 * (k - 1))).flat();
    const msg = dnsRaw(0x6666, [1, 0, 0, 0], [...ptr(base + 2 * (n - 1)), ...u16(1), ...u16(1), 0, ...chain]);
    const s = await scanWithGoodLookup([udpFrame(false, 53, 47005, msg)]);
    expect(limitDetails(s)).toEqual(['maxDnsCompressionHops']);
  });
});
