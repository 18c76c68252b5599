/**
 * The MiPush parser over handshakes laid out as they travel (test-support/mipush.ts): the
 * binary CONN blob, the server's answer, encrypted blobs, the XMPP-like stream open.
 */
import { describe, expect, it } from 'vitest';
import { NEED_MORE } from '../../../src/proto/tls.js';
import { mipushBlobLength, parseMipushBlob, parseMipushStreamOpen, sniffMipush } from '../../../src/proto/mipush.js';
import { mipushConn, mipushConnResp, mipushEncrypted, mipushStreamOpen } from '../../../test-support/mipush.js';

const spec = {
  model: 'Redmi Note 9 Pro',
  os: 'V12.0.3.0.QJZMIXM',
  udid: 'a7R2kQ9xZb3LmN0pWc5Y',
  connpt: 'MOBILE:LTE:internet.it',
  host: 'app.chat.global.xiaomi.net:5222',
  locale: 'it_IT',
};

describe('MiPush blob', () => {
  const conn = mipushConn(spec);

  it('is recognised from its first bytes, waiting while they fit', () => {
    for (let n = 1; n < 8; n++) expect(sniffMipush(conn, 0, n)).toBe(NEED_MORE);
    expect(sniffMipush(conn, 0, conn.length)).toBe(1);
    expect(sniffMipush(Uint8Array.of(0xc2, 0xfe, 0, 4), 0, 4)).toBe(0); // another version
    expect(sniffMipush(Uint8Array.of(0xc2, 0xfe, 0, 5, 0x7f, 0, 0, 0), 0, 8)).toBe(0); // a body too large
    const http = new TextEncoder().encode('GET / HTTP/1.1\r\n');
    expect(sniffMipush(http, 0, http.length)).toBe(0);
  });

  it('CONN: the header and every XMMsgConn field', () => {
    expect(mipushBlobLength(conn, 0, conn.length)).toBe(conn.length);
    const blob = parseMipushBlob(conn, 0, conn.length);
    expect(blob).toMatchObject({ cmd: 'CONN', encrypted: false, fromClient: true });
    expect(blob.conn).toEqual({
      form: 'blob',
      cmd: 'CONN',
      server: 'xiaomi.com',
      chid: 5,
      resource: 'A1b2C3d4',
      ...spec,
      sdk: 48,
      andver: 29,
    });
  });

  it('the server answer is CONN from the server, without a handshake to report', () => {
    const r = mipushConnResp();
    expect(parseMipushBlob(r, 0, r.length)).toMatchObject({ cmd: 'CONN', fromClient: false, conn: null, encrypted: false });
  });

  it('an encrypted blob is framed but not read', () => {
    const e = mipushEncrypted(120, 7);
    expect(mipushBlobLength(e, 0, e.length)).toBe(132);
    expect(parseMipushBlob(e, 0, e.length)).toMatchObject({ cmd: null, encrypted: true, conn: null });
  });

  it('a truncated protobuf inside a plausible body is not read as fields', () => {
    const bad = conn.slice();
    bad[8 + 8 + 3] = 0x7f; // the server string (after chid 08 05, tag 1a) claims to run past the header
    expect(parseMipushBlob(bad, 0, bad.length).conn).toBeNull();
  });
});

describe('MiPush XMPP stream open', () => {
  const open = mipushStreamOpen({ ...spec, model: 'Redmi "Note" 9 Pro' });
  it('is recognised, and names the server, model, ROM, device id, network, host and locale', () => {
    expect(sniffMipush(open, 0, 10)).toBe(NEED_MORE);
    expect(sniffMipush(open, 0, open.length)).toBe(1);
    expect(parseMipushStreamOpen(open, 0, open.length)).toEqual({
      form: 'xmpp',
      cmd: 'stream',
      server: 'xiaomi.com',
      chid: null,
      resource: null,
      model: 'Redmi "Note" 9 Pro',
      os: spec.os,
      udid: spec.udid,
      sdk: 8,
      connpt: spec.connpt,
      host: spec.host,
      locale: spec.locale,
      andver: null,
    });
  });
  it('a Jabber stream of another namespace is not MiPush', () => {
    const jabber = new TextEncoder().encode('<stream:stream xmlns="jabber:client" xmlns:stream="http://etherx.jabber.org/streams" to="example.com">');
    expect(sniffMipush(jabber, 0, jabber.length)).toBe(0);
  });
});
