import { describe, expect, it } from 'vitest';
import { aeadNonce, hkdfExpandLabel } from '../../../src/decrypt/hkdf.js';

// RFC 9001 Appendix A.1: keys derived from the client's Initial secret.
const CLIENT_INITIAL_SECRET = Buffer.from('c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea', 'hex');

describe('hkdfExpandLabel', () => {
  it('derives the RFC 9001 A.1 client Initial key, IV and header-protection key', () => {
    const empty = new Uint8Array(0);
    expect(hkdfExpandLabel('sha256', CLIENT_INITIAL_SECRET, 'quic key', empty, 16).toString('hex')).toBe('1f369613dd76d5467730efcbe3b1a22d');
    expect(hkdfExpandLabel('sha256', CLIENT_INITIAL_SECRET, 'quic iv', empty, 12).toString('hex')).toBe('fa044b2f42a3fd3b46fb255c');
    expect(hkdfExpandLabel('sha256', CLIENT_INITIAL_SECRET, 'quic hp', empty, 16).toString('hex')).toBe('9f50449e04a0e810283a1e9933adedd2');
  });

  it('expands past one hash block (SHA-384, 80 bytes) with the same first block as a 48-byte expansion', () => {
    const secret = Buffer.alloc(48, 7);
    const long = hkdfExpandLabel('sha384', secret, 'traffic upd', new Uint8Array(0), 80);
    const short = hkdfExpandLabel('sha384', secret, 'traffic upd', new Uint8Array(0), 48);
    expect(long.length).toBe(80);
    // the length is part of the info, so outputs differ: HKDF-Expand-Label is not a prefix function
    expect(long.subarray(0, 48).equals(short)).toBe(false);
  });
});

describe('aeadNonce', () => {
  it('XORs the sequence number into the IV, right-aligned (RFC 9001 A.2: packet number 2)', () => {
    expect(aeadNonce(Buffer.from('fa044b2f42a3fd3b46fb255c', 'hex'), 2).toString('hex')).toBe('fa044b2f42a3fd3b46fb255e');
    expect(aeadNonce(Buffer.alloc(12), 0x0102n).toString('hex')).toBe('000000000000000000000102');
  });
});
