/**
 * Block ciphers of old TLS suites that Node's OpenSSL 3 keeps out of its default provider:
 * SEED (RFC 4269), IDEA (the IDEA-CBC suite of RFC 5469) and RC2 (RFC 2268, in the
 * TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5 suite). Decryption only, CBC without padding removal
 * (the record layer checks TLS padding itself). Servers of before ~2015 still negotiated
 * them; tshark decrypts them, so leakscope does too. The S-boxes and PITABLE are the
 * standards' constants.
 */

/** CBC decryption over a block function that decrypts `block` in place. */
function cbcDecrypt(blockSize: number, iv: Uint8Array, ct: Uint8Array, decryptBlock: (b: Uint8Array) => void): Buffer {
  const out = Buffer.from(ct);
  let prev = iv;
  for (let off = 0; off + blockSize <= out.length; off += blockSize) {
    const block = out.subarray(off, off + blockSize);
    const saved = Uint8Array.prototype.slice.call(block);
    decryptBlock(block);
    for (let i = 0; i < blockSize; i++) block[i] ^= prev[i]!;
    prev = saved;
  }
  return out;
}

// ---- SEED (RFC 4269) ----

const SEED_S0 = Uint8Array.from(
  Buffer.from(
    'a985d6d3541dac255d43181e51fcca632844209de0e2c817a58f037bbb13d2ee708c3fa832ddf674ec950b575c5bbd01241c739810ccf2d92ce772839bd186c9' +
      '6050a3eb0db69e4fb75ac678a612afd561c3b441527d8d081f9900190453f7e1fd762f27b08b0eaba26e934d697c090abfeff3c58714fe64de2e4b1a06216b66' +
      '02f5928a0cb37ed07a4796e52680addfa13037ae36152238f4a7454c81e9849735cbce3c7111c78975fbdaf8945982c4ff493967c0cfd7b80f8e4223916cdba4' +
      '34f148c26f3d2d40be3ebcc1aaba4e553bdc687f9cd84a5677a0ed46b52b65fae3b9b19f5ef9e6b231ea6d5fe4f0cd88163a58d462290733e81b0579906a2a9a',
    'hex',
  ),
);
const SEED_S1 = Uint8Array.from(
  Buffer.from(
    '38e82da6cfdeb3b8af6055c7446f6b5bc36233b529a0e2a7d39111061cbc364bef886ca817c416f4c245e1d63f3d8e98284ef63ea5f90ddfd82b667a272ff172' +
      '42d441c07367ac8bf7ad801fca2caa34d20beee95d9418f857ae08c513cd86b9ff7dc131f58a6ab1d120d7022204687107db9d9961bee659dd5190dc9aa3abd0' +
      '810f471ae3ec8dbf967b5ca2a163234dc89e9c3a0c2eba6e9f5af292f34978cc15fb70757f351003646dc674d5b4ea097619fe4012e0bd05fa01f02a5ea95643' +
      '8514899bb0e5487997fc1e82218c1b5f7754b21d254f0046ed5852eb7edac9fd3095653cb6e4bb7c0e5039263284699337e724a4cb530a87d94c838fce3b4ab7',
    'hex',
  ),
);

const SEED_KC = Uint32Array.from([
  0x9e3779b9, 0x3c6ef373, 0x78dde6e6, 0xf1bbcdcc, 0xe3779b99, 0xc6ef3733, 0x8dde6e67, 0x1bbcdccf, 0x3779b99e, 0x6ef3733c, 0xdde6e678, 0xbbcdccf1, 0x779b99e3,
  0xef3733c6, 0xde6e678d, 0xbcdccf1b,
]);

/** G's four byte-lookups, each folded with the masks m0..m3 (RFC 4269 §2.2) into a 32-bit table */
const SS = ((): Uint32Array[] => {
  const m0 = 0xfc,
    m1 = 0xf3,
    m2 = 0xcf,
    m3 = 0x3f;
  const t = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)];
  for (let x = 0; x < 256; x++) {
    const a = SEED_S0[x]!,
      b = SEED_S1[x]!;
    t[0]![x] = (((a & m3) << 24) | ((a & m2) << 16) | ((a & m1) << 8) | (a & m0)) >>> 0;
    t[1]![x] = (((b & m0) << 24) | ((b & m3) << 16) | ((b & m2) << 8) | (b & m1)) >>> 0;
    t[2]![x] = (((a & m1) << 24) | ((a & m0) << 16) | ((a & m3) << 8) | (a & m2)) >>> 0;
    t[3]![x] = (((b & m2) << 24) | ((b & m1) << 16) | ((b & m0) << 8) | (b & m3)) >>> 0;
  }
  return t;
})();

function seedG(x: number): number {
  return (SS[0]![x & 0xff]! ^ SS[1]![(x >>> 8) & 0xff]! ^ SS[2]![(x >>> 16) & 0xff]! ^ SS[3]![x >>> 24]!) >>> 0;
}

function seedKeys(key: Uint8Array): Uint32Array {
  let a = readU32(key, 0),
    b = readU32(key, 4),
    c = readU32(key, 8),
    d = readU32(key, 12);
  const k = new Uint32Array(32);
  for (let r = 0; r < 16; r++) {
    k[2 * r] = seedG((a + c - SEED_KC[r]!) >>> 0);
    k[2 * r + 1] = seedG((b - d + SEED_KC[r]!) >>> 0);
    if (r % 2 === 0) {
      const na = ((a >>> 8) | (b << 24)) >>> 0;
      b = ((b >>> 8) | (a << 24)) >>> 0;
      a = na;
    } else {
      const nc = ((c << 8) | (d >>> 24)) >>> 0;
      d = ((d << 8) | (c >>> 24)) >>> 0;
      c = nc;
    }
  }
  return k;
}

function readU32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

function writeU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}

/** the round function: (r0, r1) ⊕ subkey pair → two words added to the other half */
function seedF(r0: number, r1: number, k0: number, k1: number, out: Uint32Array): void {
  let c = (r0 ^ k0) >>> 0;
  let d = (r1 ^ k1) >>> 0;
  d = seedG((d ^ c) >>> 0);
  c = seedG((c + d) >>> 0);
  d = seedG((d + c) >>> 0);
  c = (c + d) >>> 0;
  out[0] = c;
  out[1] = d;
}

export function seedDecryptBlock(keys: Uint32Array, b: Uint8Array): void {
  let l0 = readU32(b, 0),
    l1 = readU32(b, 4),
    r0 = readU32(b, 8),
    r1 = readU32(b, 12);
  const f = new Uint32Array(2);
  for (let r = 15; r >= 0; r--) {
    seedF(r0, r1, keys[2 * r]!, keys[2 * r + 1]!, f);
    const n0 = (l0 ^ f[0]!) >>> 0,
      n1 = (l1 ^ f[1]!) >>> 0;
    l0 = r0;
    l1 = r1;
    r0 = n0;
    r1 = n1;
  }
  // the last round does not swap
  writeU32(b, 0, r0);
  writeU32(b, 4, r1);
  writeU32(b, 8, l0);
  writeU32(b, 12, l1);
}

export function seedKeySchedule(key: Uint8Array): Uint32Array {
  return seedKeys(key);
}

// ---- IDEA ----

/** multiplication modulo 2^16 + 1, with 0 standing for 2^16 */
function ideaMul(a: number, b: number): number {
  if (a === 0) return (0x10001 - b) & 0xffff;
  if (b === 0) return (0x10001 - a) & 0xffff;
  const p = a * b;
  const lo = p & 0xffff,
    hi = Math.floor(p / 0x10000) & 0xffff;
  return (lo - hi + (lo < hi ? 0x10001 : 0)) & 0xffff;
}

function ideaInv(x: number): number {
  if (x <= 1) return x; // 0 (2^16) and 1 are their own inverses
  // x^(65537-2) mod 65537 by Fermat
  let result = 1,
    base = x,
    e = 0x10001 - 2;
  while (e > 0) {
    if (e & 1) result = Number((BigInt(result) * BigInt(base)) % 0x10001n);
    base = Number((BigInt(base) * BigInt(base)) % 0x10001n);
    e >>= 1;
  }
  return result & 0xffff;
}

/** the 52 decryption subkeys of a 16-byte key */
export function ideaDecryptKeys(key: Uint8Array): Uint16Array {
  const ek = new Uint16Array(52);
  let k = 0n;
  for (const byte of key) k = (k << 8n) | BigInt(byte);
  const mask = (1n << 128n) - 1n;
  for (let i = 0; i < 52; i++) {
    if (i > 0 && i % 8 === 0) k = ((k << 25n) | (k >> 103n)) & mask;
    ek[i] = Number((k >> BigInt(112 - 16 * (i % 8))) & 0xffffn);
  }
  const dk = new Uint16Array(52);
  const neg = (x: number): number => (0x10000 - x) & 0xffff;
  for (let r = 0; r <= 8; r++) {
    const e = 48 - 6 * r;
    dk[6 * r] = ideaInv(ek[e]!);
    // the additive keys swap places in the middle rounds
    const swap = r > 0 && r < 8;
    dk[6 * r + 1] = neg(ek[e + (swap ? 2 : 1)]!);
    dk[6 * r + 2] = neg(ek[e + (swap ? 1 : 2)]!);
    dk[6 * r + 3] = ideaInv(ek[e + 3]!);
    if (r < 8) {
      dk[6 * r + 4] = ek[46 - 6 * r]!;
      dk[6 * r + 5] = ek[47 - 6 * r]!;
    }
  }
  return dk;
}

export function ideaBlock(k: Uint16Array, b: Uint8Array): void {
  let x1 = (b[0]! << 8) | b[1]!,
    x2 = (b[2]! << 8) | b[3]!,
    x3 = (b[4]! << 8) | b[5]!,
    x4 = (b[6]! << 8) | b[7]!;
  for (let r = 0; r < 8; r++) {
    const z = 6 * r;
    x1 = ideaMul(x1, k[z]!);
    x2 = (x2 + k[z + 1]!) & 0xffff;
    x3 = (x3 + k[z + 2]!) & 0xffff;
    x4 = ideaMul(x4, k[z + 3]!);
    const t0 = ideaMul(x1 ^ x3, k[z + 4]!);
    const t1 = ideaMul((t0 + (x2 ^ x4)) & 0xffff, k[z + 5]!);
    const t2 = (t0 + t1) & 0xffff;
    x1 ^= t1;
    x4 ^= t2;
    const s = x2 ^ t2;
    x2 = x3 ^ t1;
    x3 = s;
  }
  const y1 = ideaMul(x1, k[48]!),
    y2 = (x3 + k[49]!) & 0xffff,
    y3 = (x2 + k[50]!) & 0xffff,
    y4 = ideaMul(x4, k[51]!);
  b[0] = y1 >> 8;
  b[1] = y1 & 0xff;
  b[2] = y2 >> 8;
  b[3] = y2 & 0xff;
  b[4] = y3 >> 8;
  b[5] = y3 & 0xff;
  b[6] = y4 >> 8;
  b[7] = y4 & 0xff;
}

// ---- RC2 (RFC 2268) ----

const PITABLE = Uint8Array.from(
  Buffer.from(
    'd978f9c419ddb5ed28e9fd794aa0d89dc67e37832b76538e624c6488448bfba2179a59f587b34f1361456d8d09817d32bd8f40eb86b77b0bf09521225c6b4e82' +
      '54d66593ce60b21c7356c014a78cf1dc1275ca1f3bbee4d1423dd430a33cb6266fbf0eda4669075727f21d9bbc944303f811c7f690ef3ee706c3d52fc8661ed7' +
      '08e8eade8052eef784aa72ac354d6a2a961ad2715a1549744b9fd05e0418a4ecc2e0416e0f51cbcc2491af50a1f47039997c3a8523b8b47afc02365b25559731' +
      '2d5dfa98e38a92ae05df2910676cbac9d300e6cfe19ea82c6316013f58e289a90d38341bab33ffb0bb480c5fb9b1cd2ec5f3db47e5a59c770aa62068fe7fc1ad',
    'hex',
  ),
);

/** the 64 subkey words for `key` with `bits` effective key bits */
export function rc2Keys(key: Uint8Array, bits: number): Uint16Array {
  const l = new Uint8Array(128);
  l.set(key.subarray(0, 128));
  const t = Math.min(key.length, 128);
  for (let i = t; i < 128; i++) l[i] = PITABLE[(l[i - 1]! + l[i - t]!) & 0xff]!;
  const t8 = (bits + 7) >> 3;
  const tm = 0xff >> (8 * t8 - bits);
  l[128 - t8] = PITABLE[l[128 - t8]! & tm]!;
  for (let i = 127 - t8; i >= 0; i--) l[i] = PITABLE[l[i + 1]! ^ l[i + t8]!]!;
  const k = new Uint16Array(64);
  for (let i = 0; i < 64; i++) k[i] = l[2 * i]! | (l[2 * i + 1]! << 8);
  return k;
}

export function rc2DecryptBlock(k: Uint16Array, b: Uint8Array): void {
  const r = [b[0]! | (b[1]! << 8), b[2]! | (b[3]! << 8), b[4]! | (b[5]! << 8), b[6]! | (b[7]! << 8)];
  const ror = (x: number, s: number): number => ((x >> s) | (x << (16 - s))) & 0xffff;
  let j = 63;
  const mix = (): void => {
    r[3] = (ror(r[3]!, 5) - k[j--]! - (r[2]! & r[1]!) - (~r[2]! & r[0]!)) & 0xffff;
    r[2] = (ror(r[2]!, 3) - k[j--]! - (r[1]! & r[0]!) - (~r[1]! & r[3]!)) & 0xffff;
    r[1] = (ror(r[1]!, 2) - k[j--]! - (r[0]! & r[3]!) - (~r[0]! & r[2]!)) & 0xffff;
    r[0] = (ror(r[0]!, 1) - k[j--]! - (r[3]! & r[2]!) - (~r[3]! & r[1]!)) & 0xffff;
  };
  const mash = (): void => {
    r[3] = (r[3]! - k[r[2]! & 63]!) & 0xffff;
    r[2] = (r[2]! - k[r[1]! & 63]!) & 0xffff;
    r[1] = (r[1]! - k[r[0]! & 63]!) & 0xffff;
    r[0] = (r[0]! - k[r[3]! & 63]!) & 0xffff;
  };
  for (let i = 0; i < 5; i++) mix();
  mash();
  for (let i = 0; i < 6; i++) mix();
  mash();
  for (let i = 0; i < 5; i++) mix();
  for (let i = 0; i < 4; i++) {
    b[2 * i] = r[i]! & 0xff;
    b[2 * i + 1] = r[i]! >> 8;
  }
}

/** CBC decryption with one of the ciphers above; null for a cipher name this module does not know. */
export function legacyCbcDecrypt(cipher: string, key: Uint8Array, iv: Uint8Array, ct: Uint8Array): Buffer | null {
  if (cipher === 'seed-cbc') {
    const k = seedKeys(key);
    return cbcDecrypt(16, iv, ct, (b) => seedDecryptBlock(k, b));
  }
  if (cipher === 'idea-cbc') {
    const k = ideaDecryptKeys(key);
    return cbcDecrypt(8, iv, ct, (b) => ideaBlock(k, b));
  }
  if (cipher === 'rc2-cbc') {
    // the export suite's RC2 runs with as many effective key bits as its key has
    const k = rc2Keys(key, key.length * 8);
    return cbcDecrypt(8, iv, ct, (b) => rc2DecryptBlock(k, b));
  }
  return null;
}
