import { createCipheriv } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { legacyCbcDecrypt, rc2DecryptBlock, rc2Keys, seedDecryptBlock, seedKeySchedule } from '../../../src/decrypt/legacy-ciphers.js';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');

describe('SEED (RFC 4269 Appendix B vectors, decrypted)', () => {
  it.each([
    ['00000000000000000000000000000000', '000102030405060708090a0b0c0d0e0f', '5ebac6e0054e166819aff1cc6d346cdb'],
    ['000102030405060708090a0b0c0d0e0f', '00000000000000000000000000000000', 'c11f22f20140505084483597e4370f43'],
    ['4706480851e61be85d74bfb3fd956185', '83a2f8a288641fb9a4e9a5cc2f131c7d', 'ee54d13ebcae706d226bc3142cd40d4a'],
    ['28dbc3bc49ffd87dcfa509b11d422be7', 'b41e6be2eba84a148e2eed84593c5ec7', '9b9b7bfcd1813cb95d0b3618f40f5122'],
  ])('key %s', (key, pt, ct) => {
    const block = hex(ct);
    seedDecryptBlock(seedKeySchedule(hex(key)), block);
    expect(block.toString('hex')).toBe(pt);
  });
});

describe('RC2 (RFC 2268 §5 vectors, decrypted)', () => {
  it.each([
    ['0000000000000000', 63, '0000000000000000', 'ebb773f993278eff'],
    ['ffffffffffffffff', 64, 'ffffffffffffffff', '278b27e42e2f0d49'],
    ['3000000000000000', 64, '1000000000000001', '30649edf9be7d2c2'],
    ['88', 64, '0000000000000000', '61a8a244adacccf0'],
    ['88bca90e90875a7f0f79c384627bafb2', 128, '0000000000000000', '2269552ab0f85ca6'],
  ])('key %s, %i effective bits', (key, bits, pt, ct) => {
    const block = hex(ct);
    rc2DecryptBlock(rc2Keys(hex(key), bits), block);
    expect(block.toString('hex')).toBe(pt);
  });
});

describe('legacyCbcDecrypt', () => {
  it("undoes CBC chaining over several blocks: RC2-CBC written by the system OpenSSL's legacy provider", () => {
    const key = hex('000102030405060708090a0b0c0d0e0f'),
      iv = hex('0f0e0d0c0b0a0908');
    const pt = Buffer.from('forty bytes of plaintext, five blocks!!!');
    const ct = execFileSync(
      'openssl',
      ['enc', '-rc2-cbc', '-provider', 'legacy', '-provider', 'default', '-nopad', '-K', key.toString('hex'), '-iv', iv.toString('hex')],
      { input: pt, stdio: ['pipe', 'pipe', 'ignore'] },
    );
    expect(ct.length).toBe(40);
    expect(legacyCbcDecrypt('rc2-cbc', key, iv, ct)?.toString()).toBe(pt.toString());
  });

  it('leaves ciphers Node runs to Node', () => {
    const key = hex('000102030405060708090a0b0c0d0e0f');
    expect(legacyCbcDecrypt('aes-128-cbc', key, key, createCipheriv('aes-128-cbc', key, key).update(Buffer.alloc(16)))).toBeNull();
  });
});
