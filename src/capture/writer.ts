/**
 * Capture writers for tests, fixtures, the benchmark and the fuzzer: classic pcap (µs or ns,
 * either byte order) and pcapng (several sections and interfaces, if_tsresol, EPB/SPB/OPB,
 * arbitrary extra blocks). Each call returns the bytes of one header, record or block, so
 * callers can concatenate, cut or corrupt them at will.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

export interface WrittenPacket {
  tsSec: number;
  /** nanoseconds within the second */
  tsNsec: number;
  data: Uint8Array;
  /** on-wire length (default data.length) */
  origlen?: number;
}

export interface PcapWriterOptions {
  /** nanosecond magic a1b23c4d instead of a1b2c3d4 (default false) */
  nanosecond?: boolean;
  byteOrder?: 'little' | 'big';
  /** LINKTYPE_* (default 1, Ethernet) */
  linkType?: number;
  snaplen?: number;
  /** default 2.4 */
  versionMajor?: number;
  versionMinor?: number;
}

class Out {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  off = 0;
  constructor(
    len: number,
    private readonly le: boolean,
  ) {
    this.bytes = new Uint8Array(len);
    this.view = new DataView(this.bytes.buffer);
  }
  u16(v: number): this {
    this.view.setUint16(this.off, v, this.le);
    this.off += 2;
    return this;
  }
  u32(v: number): this {
    this.view.setUint32(this.off, v >>> 0, this.le);
    this.off += 4;
    return this;
  }
  i64(v: bigint): this {
    this.view.setBigInt64(this.off, v, this.le);
    this.off += 8;
    return this;
  }
  raw(b: Uint8Array): this {
    this.bytes.set(b, this.off);
    this.off += b.length;
    return this;
  }
  pad4(): this {
    this.off = (this.off + 3) & ~3;
    return this;
  }
}

export class PcapWriter {
  private readonly le: boolean;
  private readonly nanosecond: boolean;

  constructor(private readonly opts: PcapWriterOptions = {}) {
    this.le = (opts.byteOrder ?? 'little') === 'little';
    this.nanosecond = opts.nanosecond ?? false;
  }

  /** the 24-byte file header */
  header(): Uint8Array {
    const o = new Out(24, this.le);
    o.u32(this.nanosecond ? 0xa1b23c4d : 0xa1b2c3d4)
      .u16(this.opts.versionMajor ?? 2)
      .u16(this.opts.versionMinor ?? 4)
      .u32(0)
      .u32(0)
      .u32(this.opts.snaplen ?? 262144)
      .u32(this.opts.linkType ?? 1);
    return o.bytes;
  }

  /** one record: 16-byte header then the data */
  packet(p: WrittenPacket): Uint8Array {
    const o = new Out(16 + p.data.length, this.le);
    o.u32(p.tsSec)
      .u32(this.nanosecond ? p.tsNsec : Math.floor(p.tsNsec / 1000))
      .u32(p.data.length)
      .u32(p.origlen ?? p.data.length)
      .raw(p.data);
    return o.bytes;
  }
}

export interface PcapngInterfaceOptions {
  linkType: number;
  /** 0 = unlimited (default) */
  snaplen?: number;
  /** raw if_tsresol byte: 6 = µs, 9 = ns, 0x80|n = 2^-n; omitted → no option (µs) */
  tsresol?: number;
  /** if_tsoffset in seconds */
  tsOffsetSec?: number;
  name?: string;
}

const textEncoder = new TextEncoder();

export class PcapngWriter {
  private readonly le: boolean;
  /** per interface of the current section: units per second */
  private units: bigint[] = [];
  private offsets: bigint[] = [];

  constructor(opts: { byteOrder?: 'little' | 'big' } = {}) {
    this.le = (opts.byteOrder ?? 'little') === 'little';
  }

  /** A section header block; interface ids restart at 0 after it. */
  section(version: { major: number; minor: number } = { major: 1, minor: 0 }): Uint8Array {
    this.units = [];
    this.offsets = [];
    const o = new Out(28, this.le);
    o.u32(0x0a0d0d0a).u32(28).u32(0x1a2b3c4d).u16(version.major).u16(version.minor).i64(-1n).u32(28);
    return o.bytes;
  }

  /** An interface description block; its id is its position in the current section. */
  interface(i: PcapngInterfaceOptions): Uint8Array {
    const name = i.name !== undefined ? textEncoder.encode(i.name) : null;
    let optLen = 0;
    if (name) optLen += 4 + ((name.length + 3) & ~3);
    if (i.tsresol !== undefined) optLen += 8;
    if (i.tsOffsetSec !== undefined) optLen += 12;
    if (optLen > 0) optLen += 4; // opt_endofopt
    const len = 20 + optLen;
    const o = new Out(len, this.le);
    o.u32(1)
      .u32(len)
      .u16(i.linkType)
      .u16(0)
      .u32(i.snaplen ?? 0);
    if (name) o.u16(2).u16(name.length).raw(name).pad4();
    if (i.tsresol !== undefined) {
      o.u16(9).u16(1);
      o.bytes[o.off] = i.tsresol;
      o.off += 4;
    }
    if (i.tsOffsetSec !== undefined) o.u16(14).u16(8).i64(BigInt(i.tsOffsetSec));
    if (optLen > 0) o.u32(0);
    o.u32(len);
    const r = i.tsresol ?? 6;
    this.units.push(r & 0x80 ? 1n << BigInt(r & 0x7f) : 10n ** BigInt(r));
    this.offsets.push(BigInt(i.tsOffsetSec ?? 0));
    return o.bytes;
  }

  /** An enhanced packet block (or, with obsolete, the old packet block type 2). */
  enhancedPacket(interfaceId: number, p: WrittenPacket, obsolete = false): Uint8Array {
    const units = this.units[interfaceId] ?? 1_000_000n;
    const sec = BigInt(p.tsSec) - (this.offsets[interfaceId] ?? 0n);
    const ts = sec * units + (BigInt(p.tsNsec) * units) / 1_000_000_000n;
    const len = 32 + ((p.data.length + 3) & ~3);
    const o = new Out(len, this.le);
    o.u32(obsolete ? 2 : 6).u32(len);
    if (obsolete) o.u16(interfaceId).u16(0);
    else o.u32(interfaceId);
    o.u32(Number(ts >> 32n))
      .u32(Number(ts & 0xffffffffn))
      .u32(p.data.length)
      .u32(p.origlen ?? p.data.length)
      .raw(p.data)
      .pad4()
      .u32(len);
    return o.bytes;
  }

  /** A simple packet block (no timestamp, interface 0; the reader derives caplen from snaplen). */
  simplePacket(data: Uint8Array, origlen = data.length): Uint8Array {
    const len = 16 + ((data.length + 3) & ~3);
    const o = new Out(len, this.le);
    o.u32(3).u32(len).u32(origlen).raw(data).pad4().u32(len);
    return o.bytes;
  }

  /**
   * A decryption secrets block (type 0x0000000A): secrets_type (default "TLSK", an NSS key
   * log), secrets_len and the secrets padded to 4.
   */
  decryptionSecrets(secrets: Uint8Array, secretsType = 0x544c534b): Uint8Array {
    const len = 20 + ((secrets.length + 3) & ~3);
    const o = new Out(len, this.le);
    o.u32(0x0000000a).u32(len).u32(secretsType).u32(secrets.length).raw(secrets).pad4().u32(len);
    return o.bytes;
  }

  /** Any other block (name resolution, statistics, custom…), with the body padded to 4. */
  block(type: number, body: Uint8Array): Uint8Array {
    const len = 12 + ((body.length + 3) & ~3);
    const o = new Out(len, this.le);
    o.u32(type).u32(len).raw(body).pad4().u32(len);
    return o.bytes;
  }
}

/** Concatenates chunks into one buffer (small test captures). */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Uint8Array(n);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/** Writes chunks to a file through a stream, honouring backpressure (large generated files). */
export async function writeChunksToFile(path: string, chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<void> {
  const out = createWriteStream(path);
  try {
    for await (const c of chunks) {
      if (!out.write(c)) await once(out, 'drain');
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
}
