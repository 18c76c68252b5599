/**
 * The synchronous push parser behind readCapture: feed it the (decompressed) bytes of a
 * classic pcap or pcapng file in chunks of any size; it calls onFrame for every packet.
 *
 * Records that lie wholly inside a chunk are handed on as views into that chunk. A record
 * that straddles a chunk boundary is gathered in a carry buffer, which never grows beyond
 * one record or block (bounded by limits.maxRecordBytes / maxBlockBytes), so memory stays
 * bounded whatever the file size. One Frame object is reused for every packet.
 *
 * Damage is data: a cut-short record, an impossible length or a bad block stops reading
 * with an anomaly and `damage` in the summary, keeping every frame before it. Input that is
 * not a capture at all throws CaptureFormatError.
 */
import type { AnomalyCode, AnomalySink } from '../anomaly.js';
import { DEFAULT_LIMITS, type Limits } from '../limits.js';
import { NEED_MORE, STOP } from '../status.js';
import { ReusedFrame, type Frame } from './frame.js';
import { describeHead, isPcapngMagic, pcapMagic, SNIFF_BYTES } from './magic.js';
import { MICROSECONDS, splitTimestamp, timestampUnit, type TimestampUnit } from './timestamp.js';
import { CaptureFormatError, type CaptureDamage, type CaptureHeader, type CaptureInterface, type ReadOptions, type ReadSummary } from './types.js';

// step() results besides "consumed N bytes": NEED_MORE, STOP (src/status.ts)

/** what the parser expects next */
const EXPECT_FILE_HEADER = 0;
const EXPECT_PCAP_RECORD = 1;
const EXPECT_PCAPNG_BLOCK = 2;
const FINISHED = 3;

const PCAP_FILE_HEADER_LEN = 24;
const PCAP_RECORD_HEADER_LEN = 16;
const PCAPNG_BLOCK_MIN_LEN = 12;

const BLOCK_SHB = 0x0a0d0d0a;
const BLOCK_IDB = 0x00000001;
const BLOCK_OPB = 0x00000002; // obsolete packet block
const BLOCK_SPB = 0x00000003;
const BLOCK_EPB = 0x00000006;
const BLOCK_DSB = 0x0000000a; // decryption secrets block

/** smallest legal total length of each block type (header 8 + fixed body + trailer 4) */
const SHB_MIN_LEN = 28;
const IDB_MIN_LEN = 20;
const EPB_MIN_LEN = 32; // also the obsolete packet block
const SPB_MIN_LEN = 16;
const DSB_MIN_LEN = 20;

const OPT_END = 0;
const OPT_COMMENT = 1;
/** Custom blocks (pcapng §4.8), copiable and not: PCAPdroid's UID map is one (PEN 62652) */
const BLOCK_CUSTOM = 0x00000bad;
const BLOCK_CUSTOM_NOCOPY = 0x40000bad;
const PCAPDROID_PEN = 62652;
const PCAPDROID_BLOCK_UID_MAP = 1;
/** apps a capture's UID map blocks may name before the map stops growing */
const MAX_PCAPDROID_UIDS = 4096;
const IF_NAME = 2;
const IF_TSRESOL = 9;
const IF_TSOFFSET = 14;

/**
 * pcap before 2.3 may have caplen and origlen swapped (detected by caplen > origlen);
 * 2.3 always has them swapped (Wireshark's libpcap.c).
 */
const LENGTHS_IN_ORDER = 0;
const LENGTHS_MAYBE_SWAPPED = 1;
const LENGTHS_SWAPPED = 2;

interface Interface {
  readonly info: CaptureInterface;
  readonly linkType: number;
  readonly snaplen: number;
  readonly unit: TimestampUnit;
  readonly tsOffsetSec: number;
}

const NO_ANOMALIES: AnomalySink & { packet: number } = { packet: 0, anomaly() {} };
const utf8 = new TextDecoder();

export class CaptureParser {
  /** set by readCapture before the first push when the source was gzip-compressed */
  compression: 'gzip' | null = null;

  private readonly limits: Readonly<Limits>;
  private readonly sink: AnomalySink & { packet: number };
  private readonly onHeader: ((h: CaptureHeader) => void) | undefined;
  private readonly onSecrets: ReadOptions['onSecrets'];

  private state = EXPECT_FILE_HEADER;
  private littleEndian = true;
  /** view over the buffer step() reads, and the stream offset of that buffer's byte 0 */
  private view: DataView = new DataView(new ArrayBuffer(0));
  private base = 0;
  /** bytes pushed so far */
  private pushed = 0;

  /** the unit (file header, record, block) that straddles chunks, and how long it is */
  private carry = new Uint8Array(0);
  private carryLen = 0;
  private carryStart = 0;
  private need = 0;

  private header: CaptureHeader | null = null;
  private headerAnnounced = false;

  // classic pcap
  private nanosecond = false;
  private snaplen = 0;
  private linkType = 0;
  private lengthOrder = LENGTHS_IN_ORDER;

  // pcapng: interfaces of all sections; the current section's ids start at sectionBase
  private readonly interfaces: Interface[] = [];
  private sectionBase = 0;

  private frames = 0;
  private capturedBytes = 0;
  private wireBytes = 0;
  private minSec = Infinity;
  private minNsec = 0;
  private maxSec = -Infinity;
  private maxNsec = 0;
  private damage: CaptureDamage | null = null;
  private readonly secrets = { tls: 0, other: 0 };

  private readonly ts = { sec: 0, nsec: 0 };
  private readonly frame = new ReusedFrame();
  /** PCAPdroid's pcapng UID map: uid → package name (null until a UID map block is met) */
  private pcapdroidApps: Map<number, string> | null = null;
  /** the PCAPdroid uid of the packet being emitted, null when it names none */
  private appUid: number | null = null;

  /** the app a PCAPdroid uid names: its package, or `uid:N` when the map did not name it (made once) */
  private appName(uid: number): string {
    const apps = this.pcapdroidApps!;
    let name = apps.get(uid);
    if (name === undefined) {
      name = `uid:${uid}`;
      if (apps.size < MAX_PCAPDROID_UIDS) apps.set(uid, name);
    }
    return name;
  }

  constructor(
    private readonly name: string,
    private readonly onFrame: (f: Frame) => void,
    opts: ReadOptions = {},
  ) {
    this.limits = opts.limits ?? DEFAULT_LIMITS;
    this.sink = opts.anomalies ?? NO_ANOMALIES;
    this.onHeader = opts.onHeader;
    this.onSecrets = opts.onSecrets;
  }

  /** Feeds the next bytes. `chunk` may be reused by the caller once push returns. */
  push(chunk: Uint8Array): void {
    // Frames are views into `chunk`. Hand them out as plain Uint8Arrays: on a Node Buffer
    // `.slice()` is a view, not a copy, and downstream code that copies with `.slice()` would
    // keep bytes the reader overwrites with a later chunk.
    if (Buffer.isBuffer(chunk)) chunk = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const chunkBase = this.pushed;
    this.pushed += chunk.length;
    if (this.state === FINISHED || chunk.length === 0) return;
    let off = 0;
    if (this.carryLen > 0) {
      off = this.completeCarry(chunk);
      if (off < 0 || this.state === FINISHED) return;
    }
    this.useBuffer(chunk, chunkBase);
    const end = chunk.length;
    while (off < end) {
      const r = this.step(chunk, off, end);
      if (r > 0) {
        off += r;
      } else if (r === NEED_MORE) {
        this.startCarry(chunk, off, end, chunkBase + off);
        return;
      } else {
        return; // STOP: damage recorded
      }
    }
  }

  /**
   * Declares the end of input; returns the summary (sha256 '' and fileBytes = bytes pushed).
   * `interrupted`: the input was stopped on request, so a record cut short is not damage.
   */
  end(interrupted = false): ReadSummary {
    if (this.state === EXPECT_FILE_HEADER) {
      const head = this.carry.subarray(0, this.carryLen);
      if (this.pushed === 0) {
        throw new CaptureFormatError(this.name, 0, 'a pcap or pcapng file header', 'empty file (0 bytes)', `${this.name}: empty file (0 bytes)`);
      }
      if (this.carryLen >= 4 && (pcapMagic(head, 0) || isPcapngMagic(head, 0))) {
        throw new CaptureFormatError(
          this.name,
          0,
          `a ${this.need}-byte file header`,
          `${this.carryLen} bytes`,
          `${this.name}: capture file header cut short: expected ${this.need} bytes, found ${this.carryLen}`,
        );
      }
      throw this.notACapture(head);
    }
    if (this.state !== FINISHED && this.carryLen > 0 && !interrupted) {
      const code: AnomalyCode = this.state === EXPECT_PCAP_RECORD ? 'pcap_record_truncated' : 'pcapng_block_truncated';
      this.recordDamage(code, this.carryStart, `${this.describeNeed()}, found ${this.carryLen} bytes before end of file`);
    }
    this.state = FINISHED;
    this.carryLen = 0;
    this.announceHeader();
    const header = this.header!;
    if (header.format === 'pcapng') header.tsPrecision = pcapngPrecision(header.interfaces);
    return {
      header,
      frames: this.frames,
      fileBytes: this.pushed,
      capturedBytes: this.capturedBytes,
      wireBytes: this.wireBytes,
      firstTs: this.frames > 0 ? { sec: this.minSec, nsec: this.minNsec } : null,
      lastTs: this.frames > 0 ? { sec: this.maxSec, nsec: this.maxNsec } : null,
      sha256: '',
      damage: this.damage,
      interrupted,
      secrets: { ...this.secrets },
    };
  }

  /** True once damage stopped the parse (further pushes are ignored). */
  get stopped(): boolean {
    return this.state === FINISHED;
  }

  /**
   * Stops the parse for damage found outside the parser (a corrupt gzip stream): the code
   * is reported at the current stream offset.
   */
  stopForDamage(code: AnomalyCode, expected: string): void {
    if (this.state === FINISHED) return;
    if (this.state === EXPECT_FILE_HEADER) {
      throw new CaptureFormatError(
        this.name,
        0,
        'a pcap or pcapng file header',
        expected,
        `${this.name}: damaged before the capture file header: expected ${expected}`,
      );
    }
    this.recordDamage(code, this.carryLen > 0 ? this.carryStart : this.pushed, expected);
    this.carryLen = 0;
  }

  // ---- chunk plumbing ----

  private useBuffer(b: Uint8Array, base: number): void {
    this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    this.base = base;
  }

  private needMore(bytes: number): number {
    this.need = bytes;
    return NEED_MORE;
  }

  private startCarry(chunk: Uint8Array, off: number, end: number, streamOffset: number): void {
    this.reserveCarry(this.need);
    this.carry.set(chunk.subarray(off, end), 0);
    this.carryLen = end - off;
    this.carryStart = streamOffset;
  }

  private reserveCarry(bytes: number): void {
    if (this.carry.length >= bytes) return;
    const grown = new Uint8Array(Math.max(bytes, Math.min(this.carry.length * 2, this.limits.maxBlockBytes)));
    grown.set(this.carry.subarray(0, this.carryLen), 0);
    this.carry = grown;
  }

  /**
   * Tops the carry buffer up from `chunk` until its unit is complete and parses it.
   * Returns how many bytes of `chunk` it used, or -1 when the chunk ran out first.
   */
  private completeCarry(chunk: Uint8Array): number {
    let off = 0;
    for (;;) {
      const take = Math.min(this.need - this.carryLen, chunk.length - off);
      this.carry.set(chunk.subarray(off, off + take), this.carryLen);
      this.carryLen += take;
      off += take;
      if (this.carryLen < this.need) return -1;
      this.useBuffer(this.carry, this.carryStart);
      const r = this.step(this.carry, 0, this.carryLen);
      if (r === NEED_MORE) {
        // the unit's header is now complete and says how long the whole unit is
        this.reserveCarry(this.need);
        continue;
      }
      this.carryLen = 0;
      return off;
    }
  }

  private step(b: Uint8Array, off: number, end: number): number {
    if (this.state === EXPECT_PCAP_RECORD) return this.pcapRecord(b, off, end);
    if (this.state === EXPECT_PCAPNG_BLOCK) return this.pcapngBlock(b, off, end);
    return this.fileHeader(b, off, end);
  }

  private u16(off: number): number {
    return this.view.getUint16(off, this.littleEndian);
  }

  private u32(off: number): number {
    return this.view.getUint32(off, this.littleEndian);
  }

  // ---- file header ----

  private fileHeader(b: Uint8Array, off: number, end: number): number {
    const avail = end - off;
    if (avail < 4) return this.needMore(4);
    const magic = pcapMagic(b, off);
    if (magic) {
      if (avail < PCAP_FILE_HEADER_LEN) return this.needMore(PCAP_FILE_HEADER_LEN);
      this.littleEndian = magic.littleEndian;
      this.nanosecond = magic.nanosecond;
      const major = this.u16(off + 4);
      const minor = this.u16(off + 6);
      if (major < 2) {
        throw new CaptureFormatError(
          this.name,
          off + 4,
          'pcap version 2.x',
          `version ${major}.${minor}`,
          `${this.name}: pcap version ${major}.${minor} is not supported (expected 2.x)`,
        );
      }
      this.snaplen = this.u32(off + 16);
      // the upper 16 bits carry FCS-length flags and reserved bits (pcap spec, LinkType field)
      this.linkType = this.u32(off + 20) & 0xffff;
      this.lengthOrder = major === 2 && minor < 3 ? LENGTHS_MAYBE_SWAPPED : major === 2 && minor === 3 ? LENGTHS_SWAPPED : LENGTHS_IN_ORDER;
      const resolution = this.nanosecond ? 'ns' : 'us';
      this.header = {
        format: 'pcap',
        byteOrder: this.littleEndian ? 'little' : 'big',
        compression: this.compression,
        version: `${major}.${minor}`,
        tsPrecision: resolution,
        interfaces: [{ linkType: this.linkType, snaplen: this.snaplen, tsResolution: resolution, tsOffsetSec: 0 }],
        sections: 1,
      };
      this.state = EXPECT_PCAP_RECORD;
      this.announceHeader();
      return PCAP_FILE_HEADER_LEN;
    }
    if (isPcapngMagic(b, off)) {
      if (avail < PCAPNG_BLOCK_MIN_LEN) return this.needMore(PCAPNG_BLOCK_MIN_LEN);
      const order = byteOrderMagic(b, off + 8);
      if (order === null) {
        throw new CaptureFormatError(
          this.name,
          off + 8,
          'the pcapng byte-order magic 1a2b3c4d',
          hex(b, off + 8, 4),
          `${this.name}: not a pcap or pcapng file: starts like a pcapng section header but its byte-order magic is ${hex(b, off + 8, 4)}`,
        );
      }
      this.header = {
        format: 'pcapng',
        byteOrder: order === 'little' ? 'little' : 'big',
        compression: this.compression,
        version: '',
        tsPrecision: 'us',
        interfaces: [],
        sections: 0,
      };
      this.state = EXPECT_PCAPNG_BLOCK;
      return this.pcapngBlock(b, off, end);
    }
    // wait for enough bytes to say what the file is instead
    if (avail < SNIFF_BYTES) return this.needMore(SNIFF_BYTES);
    throw this.notACapture(b.subarray(off, end));
  }

  private notACapture(head: Uint8Array): CaptureFormatError {
    const found = describeHead(head);
    const message =
      this.compression === 'gzip'
        ? `${this.name}: gzip-compressed, but not a pcap or pcapng file inside: starts with ${found}`
        : `${this.name}: not a pcap or pcapng file: starts with ${found}`;
    return new CaptureFormatError(this.name, 0, 'a pcap or pcapng magic number', found, message);
  }

  // ---- classic pcap ----

  private pcapRecord(b: Uint8Array, off: number, end: number): number {
    if (end - off < PCAP_RECORD_HEADER_LEN) return this.needMore(PCAP_RECORD_HEADER_LEN);
    let sec = this.u32(off);
    let frac = this.u32(off + 4);
    let caplen = this.u32(off + 8);
    let origlen = this.u32(off + 12);
    const index = this.frames + 1;
    if (this.lengthOrder !== LENGTHS_IN_ORDER && (this.lengthOrder === LENGTHS_SWAPPED || caplen > origlen)) {
      if (this.lengthOrder === LENGTHS_MAYBE_SWAPPED) this.report('pcap_lengths_swapped', index, off + 8, `caplen ${caplen}, origlen ${origlen}`);
      const t = caplen;
      caplen = origlen;
      origlen = t;
    }
    if (caplen > this.limits.maxRecordBytes) {
      this.report('limit_reached', 0, off + 8, 'maxRecordBytes');
      return this.fail(
        'pcap_caplen_exceeds_limit',
        off,
        `a record of at most maxRecordBytes (${this.limits.maxRecordBytes}) bytes, found a caplen of ${caplen}`,
      );
    }
    const total = PCAP_RECORD_HEADER_LEN + caplen;
    if (end - off < total) return this.needMore(total);

    if (this.snaplen !== 0 && caplen > this.snaplen) this.report('pcap_caplen_exceeds_snaplen', index, off + 8, `caplen ${caplen} > snaplen ${this.snaplen}`);
    if (caplen > origlen && this.lengthOrder === LENGTHS_IN_ORDER)
      this.report('pcap_caplen_exceeds_origlen', index, off + 8, `caplen ${caplen} > origlen ${origlen}`);
    const perSecond = this.nanosecond ? 1_000_000_000 : 1_000_000;
    if (frac >= perSecond) {
      this.report('pcap_timestamp_fraction_invalid', index, off + 4, `${frac} ${this.nanosecond ? 'ns' : 'µs'}`);
      sec += Math.floor(frac / perSecond);
      frac %= perSecond;
    }
    this.ts.sec = sec;
    this.ts.nsec = this.nanosecond ? frac : frac * 1000;
    this.emit(b, off + PCAP_RECORD_HEADER_LEN, caplen, origlen, this.linkType, 0, this.base + off);
    return total;
  }

  // ---- pcapng ----

  private pcapngBlock(b: Uint8Array, off: number, end: number): number {
    if (end - off < PCAPNG_BLOCK_MIN_LEN) return this.needMore(PCAPNG_BLOCK_MIN_LEN);
    const isSection = isPcapngMagic(b, off);
    if (isSection) {
      // each section declares its own byte order, before its length can be read
      const order = byteOrderMagic(b, off + 8);
      if (order === null) {
        return this.fail('pcapng_byte_order_invalid', off, `a section header byte-order magic 1a2b3c4d, found ${hex(b, off + 8, 4)}`);
      }
      this.littleEndian = order === 'little';
    }
    const type = this.u32(off);
    const len = this.u32(off + 4);
    if (len < PCAPNG_BLOCK_MIN_LEN || (len & 3) !== 0 || len > this.limits.maxBlockBytes) {
      if (len > this.limits.maxBlockBytes) this.report('limit_reached', 0, off + 4, 'maxBlockBytes');
      return this.fail(
        'pcapng_block_length_invalid',
        off,
        `a block length that is a multiple of 4 from 12 to maxBlockBytes (${this.limits.maxBlockBytes}), found ${len}`,
      );
    }
    if (end - off < len) return this.needMore(len);
    const trailer = this.u32(off + len - 4);
    if (trailer !== len) {
      return this.fail('pcapng_block_length_invalid', off, `a trailing block length equal to the leading ${len}, found ${trailer}`);
    }
    switch (type) {
      case BLOCK_SHB:
        return this.sectionHeader(off, len);
      case BLOCK_IDB:
        return this.interfaceDescription(b, off, len);
      case BLOCK_EPB:
        return this.enhancedPacket(b, off, len, false);
      case BLOCK_OPB:
        return this.enhancedPacket(b, off, len, true);
      case BLOCK_SPB:
        return this.simplePacket(b, off, len);
      case BLOCK_DSB:
        return this.decryptionSecrets(b, off, len);
      case BLOCK_CUSTOM:
      case BLOCK_CUSTOM_NOCOPY:
        return this.customBlock(b, off, len);
      // name resolution, statistics, other custom blocks, unknown: skipped by length
      default:
        return len;
    }
  }

  private tooShort(off: number, len: number, what: string, min: number): number {
    return this.fail('pcapng_block_length_invalid', off, `a ${what} of at least ${min} bytes, found ${len}`);
  }

  private sectionHeader(off: number, len: number): number {
    if (len < SHB_MIN_LEN) return this.tooShort(off, len, 'section header block', SHB_MIN_LEN);
    const major = this.u16(off + 12);
    const minor = this.u16(off + 14);
    // Wireshark reads 1.0 and 1.2 (written by some old tools) and refuses the rest
    if (major !== 1 || (minor !== 0 && minor !== 2)) {
      return this.fail('pcapng_version_unsupported', off, `a section header of version 1.0, found ${major}.${minor}`);
    }
    const header = this.header!;
    if (header.sections === 0) {
      header.version = `${major}.${minor}`;
      header.byteOrder = this.littleEndian ? 'little' : 'big';
    }
    header.sections++;
    // interface ids restart in every section
    this.sectionBase = this.interfaces.length;
    return len;
  }

  private interfaceDescription(b: Uint8Array, off: number, len: number): number {
    if (len < IDB_MIN_LEN) return this.tooShort(off, len, 'interface description block', IDB_MIN_LEN);
    const linkType = this.u16(off + 8);
    const snaplen = this.u32(off + 12);
    let unit = MICROSECONDS;
    let tsOffsetSec = 0;
    let name: string | undefined;
    const optEnd = off + len - 4;
    let p = off + 16;
    while (optEnd - p >= 4) {
      const code = this.u16(p);
      const optLen = this.u16(p + 2);
      if (code === OPT_END) break;
      const value = p + 4;
      if (optLen > optEnd - value) {
        this.report('pcapng_option_invalid', 0, p, `option ${code} of ${optLen} bytes at block offset ${p - off}`);
        break;
      }
      if (code === IF_TSRESOL && optLen >= 1) unit = timestampUnit(b[value]);
      else if (code === IF_TSOFFSET && optLen >= 8) tsOffsetSec = Number(this.view.getBigInt64(value, this.littleEndian));
      else if (code === IF_NAME && optLen > 0) name = utf8.decode(b.subarray(value, value + optLen)).replace(/\0+$/, '');
      p = value + ((optLen + 3) & ~3);
    }
    const info: CaptureInterface = { linkType, snaplen, tsResolution: unit.label, tsOffsetSec };
    if (name !== undefined) info.name = name;
    this.interfaces.push({ info, linkType, snaplen, unit, tsOffsetSec });
    this.header!.interfaces.push(info);
    return len;
  }

  /** Enhanced packet block, or the obsolete packet block (16-bit interface id + drops). */
  private enhancedPacket(b: Uint8Array, off: number, len: number, obsolete: boolean): number {
    if (len < EPB_MIN_LEN) return this.tooShort(off, len, obsolete ? 'packet block' : 'enhanced packet block', EPB_MIN_LEN);
    const localId = obsolete ? this.u16(off + 8) : this.u32(off + 8);
    const hi = this.u32(off + 12);
    const lo = this.u32(off + 16);
    const caplen = this.u32(off + 20);
    const origlen = this.u32(off + 24);
    const id = this.sectionBase + localId;
    if (id >= this.interfaces.length) {
      return this.fail(
        'pcapng_interface_unknown',
        off,
        `a packet of one of the section's ${this.interfaces.length - this.sectionBase} interfaces, found interface ${localId}`,
      );
    }
    const room = len - EPB_MIN_LEN;
    if (caplen > room) {
      return this.fail('pcapng_caplen_exceeds_block', off, `a captured length of at most the block's ${room} data bytes, found ${caplen}`);
    }
    if (caplen > this.limits.maxRecordBytes) {
      this.report('limit_reached', 0, off + 20, 'maxRecordBytes');
      return this.fail(
        'pcapng_caplen_exceeds_limit',
        off,
        `a packet of at most maxRecordBytes (${this.limits.maxRecordBytes}) bytes, found a caplen of ${caplen}`,
      );
    }
    const iface = this.interfaces[id];
    splitTimestamp(hi, lo, iface.unit, this.ts);
    this.ts.sec += iface.tsOffsetSec;
    this.appUid = obsolete ? null : this.pcapdroidUid(b, off + 28 + ((caplen + 3) & ~3), off + len - 4);
    this.emit(b, off + 28, caplen, origlen, iface.linkType, id, this.base + off);
    this.appUid = null;
    return len;
  }

  /**
   * PCAPdroid's pcapng dump names each packet's app by a comment `u-<uid>` (pcap_dump.c
   * `dump_packet_pcapng`); the uid's package and app name come in a custom block before. The
   * uid is read from the option's bytes: no string per packet.
   */
  private pcapdroidUid(b: Uint8Array, p: number, optEnd: number): number | null {
    if (this.pcapdroidApps === null) return null;
    while (optEnd - p >= 4) {
      const code = this.u16(p);
      const optLen = this.u16(p + 2);
      if (code === OPT_END || optLen > optEnd - p - 4) return null;
      const v = p + 4;
      if (code === OPT_COMMENT && optLen >= 3 && optLen <= 13 && b[v] === 0x75 /* u */ && b[v + 1] === 0x2d /* - */) {
        let i = v + 2;
        const negative = b[i] === 0x2d;
        if (negative) i++;
        let uid = 0;
        if (i >= v + optLen) return null;
        for (; i < v + optLen; i++) {
          const d = b[i]! - 0x30;
          if (d < 0 || d > 9) return null;
          uid = uid * 10 + d;
        }
        return negative ? -uid : uid;
      }
      p = v + ((optLen + 3) & ~3);
    }
    return null;
  }

  /** Custom block: PCAPdroid's UID map (`pcapng_pd_uid_map_block_t`); others are skipped. */
  private customBlock(b: Uint8Array, off: number, len: number): number {
    // type, length, PEN, version u16, block type u8, padding u8, uid i32, package and app name lengths u8
    if (len < 28 || this.u32(off + 8) !== PCAPDROID_PEN || this.u16(off + 12) !== 1 || b[off + 14] !== PCAPDROID_BLOCK_UID_MAP) return len;
    const uid = this.u32(off + 16) | 0;
    const pkgLen = b[off + 20]!;
    const nameLen = b[off + 21]!;
    const pkg = off + 22;
    if (pkg + pkgLen + nameLen > off + len - 4) {
      this.report('pcapng_option_invalid', 0, off, `PCAPdroid UID map of ${pkgLen}+${nameLen} name bytes in a block of ${len}`);
      return len;
    }
    this.pcapdroidApps ??= new Map();
    if (this.pcapdroidApps.size < MAX_PCAPDROID_UIDS || this.pcapdroidApps.has(uid)) {
      const packageName = utf8.decode(b.subarray(pkg, pkg + pkgLen));
      const appName = utf8.decode(b.subarray(pkg + pkgLen, pkg + pkgLen + nameLen));
      this.pcapdroidApps.set(uid, packageName || appName || `uid:${uid}`);
    }
    return len;
  }

  /** Simple packet block: no timestamp; caplen follows from the block and interface 0's snaplen. */
  private simplePacket(b: Uint8Array, off: number, len: number): number {
    if (len < SPB_MIN_LEN) return this.tooShort(off, len, 'simple packet block', SPB_MIN_LEN);
    if (this.sectionBase >= this.interfaces.length) {
      return this.fail('pcapng_interface_unknown', off, 'an interface description block before a simple packet block, found none');
    }
    const iface = this.interfaces[this.sectionBase];
    const origlen = this.u32(off + 8);
    let caplen = Math.min(origlen, len - SPB_MIN_LEN);
    if (iface.snaplen !== 0 && caplen > iface.snaplen) caplen = iface.snaplen;
    if (caplen > this.limits.maxRecordBytes) {
      this.report('limit_reached', 0, off + 8, 'maxRecordBytes');
      return this.fail('pcapng_caplen_exceeds_limit', off, `a packet of at most maxRecordBytes (${this.limits.maxRecordBytes}) bytes, found ${caplen}`);
    }
    this.ts.sec = 0;
    this.ts.nsec = 0;
    this.emit(b, off + 12, caplen, origlen, iface.linkType, this.sectionBase, this.base + off);
    return len;
  }

  /**
   * Decryption secrets block: secrets_type, secrets_len, the secrets padded to 4. TLS key
   * logs ("TLSK") go to onSecrets wherever the block stands; other types (SSH, WireGuard,
   * Zigbee) are counted and skipped. A secrets_len past the block is an anomaly, not damage:
   * the block's own length still says where the next one starts.
   */
  private decryptionSecrets(b: Uint8Array, off: number, len: number): number {
    if (len < DSB_MIN_LEN) return this.tooShort(off, len, 'decryption secrets block', DSB_MIN_LEN);
    const type = this.u32(off + 8);
    const secretsLen = this.u32(off + 12);
    const room = len - DSB_MIN_LEN;
    if (secretsLen > room) {
      this.report('pcapng_dsb_length_invalid', 0, off + 12, `secrets_len ${secretsLen} > the block's ${room} data bytes`);
      return len;
    }
    if (type !== SECRETS_TYPE_TLS) {
      this.secrets.other++;
      this.report('pcapng_dsb_type_unsupported', 0, off + 8, `secrets type 0x${type.toString(16).padStart(8, '0')}`);
      return len;
    }
    this.secrets.tls++;
    this.onSecrets?.(type, b.subarray(off + 16, off + 16 + secretsLen), this.base + off);
    return len;
  }

  // ---- frames, anomalies, damage ----

  private emit(b: Uint8Array, start: number, caplen: number, origlen: number, linkType: number, interfaceId: number, fileOffset: number): void {
    if (!this.headerAnnounced) this.announceHeader();
    const f = this.frame;
    const sec = this.ts.sec;
    const nsec = this.ts.nsec;
    f.index = ++this.frames;
    f.tsSec = sec;
    f.tsNsec = nsec;
    f.caplen = caplen;
    f.origlen = origlen;
    f.linkType = linkType;
    f.interfaceId = interfaceId;
    f.fileOffset = fileOffset;
    f.buf = b;
    f.offset = start;
    f.appUid = this.appUid;
    f.app = this.appUid === null ? null : this.appName(this.appUid);
    this.capturedBytes += caplen;
    this.wireBytes += origlen;
    if (sec < this.minSec || (sec === this.minSec && nsec < this.minNsec)) {
      this.minSec = sec;
      this.minNsec = nsec;
    }
    if (sec > this.maxSec || (sec === this.maxSec && nsec > this.maxNsec)) {
      this.maxSec = sec;
      this.maxNsec = nsec;
    }
    this.sink.packet = f.index;
    this.onFrame(f);
  }

  private announceHeader(): void {
    if (this.headerAnnounced || !this.header) return;
    this.headerAnnounced = true;
    if (this.header.format === 'pcapng') this.header.tsPrecision = pcapngPrecision(this.header.interfaces);
    this.onHeader?.(this.header);
  }

  /** an anomaly at buffer offset `off`; packet 0 means "about the file" */
  private report(code: AnomalyCode, packet: number, off: number, detail?: string): void {
    this.sink.packet = packet;
    this.sink.anomaly(code, this.base + off, detail);
  }

  private fail(code: AnomalyCode, off: number, expected: string): number {
    this.recordDamage(code, this.base + off, expected);
    return STOP;
  }

  private recordDamage(code: AnomalyCode, streamOffset: number, expected: string): void {
    this.sink.packet = 0;
    this.sink.anomaly(code, streamOffset, expected);
    this.damage = { offset: streamOffset, frame: this.frames, expected };
    this.state = FINISHED;
  }

  private describeNeed(): string {
    if (this.state === EXPECT_PCAP_RECORD) {
      if (this.carryLen < PCAP_RECORD_HEADER_LEN) return `a ${PCAP_RECORD_HEADER_LEN}-byte record header`;
      return `a ${this.need}-byte record (${PCAP_RECORD_HEADER_LEN}-byte header and ${this.need - PCAP_RECORD_HEADER_LEN} bytes of data)`;
    }
    if (this.carryLen < PCAPNG_BLOCK_MIN_LEN) return `a pcapng block header (${PCAPNG_BLOCK_MIN_LEN} bytes)`;
    return `a ${this.need}-byte pcapng block`;
  }
}

/** "TLSK": an NSS key log (wiretap/secrets-types.h) */
export const SECRETS_TYPE_TLS = 0x544c534b;

function byteOrderMagic(b: Uint8Array, off: number): 'little' | 'big' | null {
  if (b[off] === 0x1a && b[off + 1] === 0x2b && b[off + 2] === 0x3c && b[off + 3] === 0x4d) return 'big';
  if (b[off] === 0x4d && b[off + 1] === 0x3c && b[off + 2] === 0x2b && b[off + 3] === 0x1a) return 'little';
  return null;
}

function hex(b: Uint8Array, off: number, n: number): string {
  return Array.from(b.subarray(off, off + n), (x) => x.toString(16).padStart(2, '0')).join(' ');
}

function pcapngPrecision(interfaces: readonly CaptureInterface[]): string {
  if (interfaces.length === 0) return 'us';
  const first = interfaces[0].tsResolution;
  return interfaces.every((i) => i.tsResolution === first) ? first : 'mixed';
}
