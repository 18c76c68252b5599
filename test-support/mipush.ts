/**
 * Test-only writer of MiPush handshakes as they appear on the wire (see src/proto/mipush.ts for
 * the layout and its sources): the binary CONN blob a current XMPushService sends first, the
 * server's answer, later (encrypted) blobs, and the older XMPP-like stream open. The device
 * facts are the project's fake profile.
 */
import { TrafficBuilder, type FrameSink } from '../test-support/synth/session.js';
import { buildDnsQuery, buildDnsResponse } from '../test-support/synth/dns.js';
import { buildClientHelloRecord, buildServerHelloRecord, buildAppDataRecord } from '../test-support/synth/tls.js';

const enc = new TextEncoder();

export interface MipushConnSpec {
  model: string;
  os: string;
  udid: string;
  connpt: string;
  host: string;
  locale: string;
  sdk?: number;
  andver?: number;
  server?: string;
  chid?: number;
  resource?: string;
}

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

/** protobuf writer for the few wire types the messages use */
class Proto {
  readonly bytes: number[] = [];
  int(field: number, v: number): this {
    this.bytes.push(...varint(field * 8), ...varint(v));
    return this;
  }
  str(field: number, s: string): this {
    const b = enc.encode(s);
    this.bytes.push(...varint(field * 8 + 2), ...varint(b.length), ...b);
    return this;
  }
}

/** Adler-32 (MiPush's BlobReader checksum) */
function adler32(b: Uint8Array): number {
  let a = 1,
    s = 0;
  for (const x of b) {
    a = (a + x) % 65521;
    s = (s + a) % 65521;
  }
  return ((s << 16) | a) >>> 0;
}

/** A blob: magic C2FE, version 5, body length, body, checksum. */
export function mipushBlob(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + body.length + 4);
  const v = new DataView(out.buffer);
  v.setUint16(0, 0xc2fe);
  v.setUint16(2, 5);
  v.setUint32(4, body.length);
  out.set(body, 8);
  v.setUint32(8 + body.length, adler32(out.subarray(0, 8 + body.length)));
  return out;
}

function body(header: Proto, payload: Proto): Uint8Array {
  const out = new Uint8Array(8 + header.bytes.length + payload.bytes.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, 2); // payload type: protobuf
  v.setUint16(2, header.bytes.length);
  v.setUint32(4, payload.bytes.length);
  out.set(header.bytes, 8);
  out.set(payload.bytes, 8 + header.bytes.length);
  return out;
}

/** The client's CONN blob: ClientHeader (cmd CONN, CS_REQ, no cipher) and XMMsgConn. */
export function mipushConn(spec: MipushConnSpec): Uint8Array {
  const header = new Proto()
    .int(1, spec.chid ?? 5)
    .str(3, spec.server ?? 'xiaomi.com')
    .str(4, spec.resource ?? 'A1b2C3d4')
    .str(5, 'CONN')
    .str(7, 'Q9aN1-1')
    .int(8, 2)
    .int(9, 0);
  const conn = new Proto()
    .int(1, 106)
    .str(2, spec.model)
    .str(3, spec.os)
    .str(4, spec.udid)
    .int(5, spec.sdk ?? 48)
    .str(6, spec.connpt)
    .str(7, spec.host)
    .str(8, spec.locale)
    .int(10, spec.andver ?? 29);
  return mipushBlob(body(header, conn));
}

/** The server's CONN answer (SC_RESP) with a challenge (XMMsgConnResp field 1). */
export function mipushConnResp(): Uint8Array {
  const header = new Proto().int(1, 5).str(3, 'xiaomi.com').str(5, 'CONN').str(7, 'Q9aN1-1').int(8, 6).int(9, 0);
  return mipushBlob(body(header, new Proto().str(1, 'c7f3a9e2b1d04c58')));
}

/** A later blob whose body is encrypted (RC4): its bytes do not add up as a body header. */
export function mipushEncrypted(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b[i] = x & 0xff;
  }
  b[2] = 0xff; // a header length that cannot add up
  return mipushBlob(b);
}

/** The older SDKs' XMPP-like stream open (smack XMPPConnection.openStream as MiPush wrote it). */
export function mipushStreamOpen(spec: MipushConnSpec & { to?: string }): Uint8Array {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return enc.encode(
    `<stream:stream xmlns="xm" xmlns:stream="xm" to="${esc(spec.to ?? 'xiaomi.com')}" version="105" model="${esc(spec.model)}"` +
      ` os="${esc(spec.os)}" uid="${esc(spec.udid)}" sdk="${spec.sdk ?? 8}" connpt="${esc(spec.connpt)}" host="${esc(spec.host)}" locale="${esc(spec.locale)}">`,
  );
}

export const PUSH_PHONE = {
  ip: '192.168.1.23',
  conn: {
    model: 'Redmi Note 9 Pro',
    os: 'V12.0.3.0.QJZMIXM',
    udid: 'a7R2kQ9xZb3LmN0pWc5Y',
    connpt: 'MOBILE:LTE:internet.it',
    host: 'app.chat.global.xiaomi.net:5222',
    locale: 'it_IT',
  },
} as const;

function http(lines: string[], body = ''): Uint8Array {
  return enc.encode(lines.join('\r\n') + '\r\n\r\n' + body);
}

/**
 * A MIUI phone's push and name-lookup traffic: MiPush on 5222 with no DNS answer before it
 * (named only by its CONN), MiPush on 443 after a DNS answer, the older XMPP-like stream on
 * 80, the push resolver asked with an absolute URI at a bare address, and HTTPDNS lookups at
 * Alibaba's and Tencent's services whose answers name the connections that follow.
 */
export function generateXiaomiPush(sink: FrameSink, startSec = 1_795_700_000): void {
  const t = new TrafficBuilder(sink, startSec);
  const phone = (port: number) => ({ ip: PUSH_PHONE.ip, port });
  const resolver = { ip: '192.168.1.1', port: 53 };

  // 1. MiPush on 5222, named only inside its payload
  t.tcpConnection(phone(42000), { ip: '203.0.113.80', port: 5222 }, [
    { from: 'client', data: mipushConn(PUSH_PHONE.conn) },
    { from: 'server', data: mipushConnResp() },
    { from: 'client', data: mipushEncrypted(200, 11) },
    { from: 'server', data: mipushEncrypted(900, 12) },
  ]);

  // 2. MiPush on 443 after a DNS answer
  t.udpExchange(phone(42001), resolver, [
    { from: 'client', data: buildDnsQuery(0x2b01, 'app.chat.global.xiaomi.net') },
    {
      from: 'server',
      data: buildDnsResponse(0x2b01, 'app.chat.global.xiaomi.net', 'A', [{ name: 'app.chat.global.xiaomi.net', type: 'A', data: '203.0.113.81' }]),
    },
  ]);
  t.tcpConnection(phone(42002), { ip: '203.0.113.81', port: 443 }, [
    { from: 'client', data: mipushConn({ ...PUSH_PHONE.conn, host: 'app.chat.global.xiaomi.net:443', connpt: 'WIFI' }) },
    { from: 'server', data: mipushConnResp() },
    { from: 'client', data: mipushEncrypted(64, 13) },
  ]);

  // 3. the older XMPP-like stream on 80: the server only in `to=` (its host is a bare address)
  t.tcpConnection(phone(42003), { ip: '203.0.113.82', port: 80 }, [
    { from: 'client', data: mipushStreamOpen({ ...PUSH_PHONE.conn, host: '111.13.142.2', to: 'xiaomi.com' }) },
    { from: 'server', data: enc.encode('<stream:stream xmlns="xm" xmlns:stream="xm" from="xiaomi.com" id="a1" version="105">') },
  ]);

  // 4. the push resolver, asked with an absolute URI at a bare address
  t.tcpConnection(phone(42004), { ip: '203.0.113.83', port: 80 }, [
    {
      from: 'client',
      data: http([
        'GET http://resolver.msg.global.xiaomi.net/gslb/?ver=4.0&type=wifi&uuid=0f3d1c7e8a424b1d&list=app.chat.global.xiaomi.net HTTP/1.1',
        'Host: 203.0.113.83',
        'User-Agent: Dalvik/2.1.0 (Linux; U; Android 10; Redmi Note 9 Pro MIUI/V12.0.3.0.QJZMIXM)',
      ]),
    },
    { from: 'server', data: http(['HTTP/1.1 200 OK', 'Content-Length: 2'], '{}') },
  ]);

  // 5. Alibaba HTTPDNS: the answer names a connection with no SNI that follows
  const aliBody = '{"host":"appmarket.micloud.xiaomi.net","ips":["161.117.180.93"],"ipsv6":[],"ttl":60,"origin_ttl":60}';
  t.tcpConnection(phone(42005), { ip: '203.107.1.33', port: 80 }, [
    { from: 'client', data: http(['GET /100000/d?host=appmarket.micloud.xiaomi.net HTTP/1.1', 'Host: 203.107.1.33', 'User-Agent: okhttp/3.12.1']) },
    { from: 'server', data: http(['HTTP/1.1 200 OK', 'Content-Type: application/json', `Content-Length: ${aliBody.length}`], aliBody) },
  ]);
  t.tcpConnection(phone(42006), { ip: '161.117.180.93', port: 443 }, [
    { from: 'client', data: buildClientHelloRecord({ tls13: true, seed: 21 }) },
    { from: 'server', data: buildServerHelloRecord('1.3', 22) },
    { from: 'client', data: buildAppDataRecord(300, 23) },
  ]);

  // 6. Tencent HTTPDNS (text answer)
  const tcBody = '203.0.113.90;203.0.113.91,300';
  t.tcpConnection(phone(42007), { ip: '119.29.29.98', port: 80 }, [
    { from: 'client', data: http(['GET /d?dn=api.io.mi.com&ttl=1 HTTP/1.1', 'Host: 119.29.29.98']) },
    { from: 'server', data: http(['HTTP/1.1 200 OK', `Content-Length: ${tcBody.length}`], tcBody) },
  ]);
}
