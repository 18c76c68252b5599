/**
 * IPv4 and IPv6 fragment reassembly.
 *
 * Datagrams are keyed by (version, source, destination, identification[, protocol for
 * IPv4]). Each fragment's data is copied (it must outlive its frame); when the last fragment
 * has fixed the length, the offset-0 fragment has supplied the header and the data covers
 * every byte, the datagram is joined into one new buffer: a header followed by the payload.
 *
 * Overlap policy: FIRST-ARRIVED BYTES WIN (the BSD/Linux "first" policy Wireshark also uses).
 * Fragments are copied into the joined buffer from the last-arrived to the first-arrived, so
 * earlier bytes overwrite later ones. An overlap whose bytes differ is reported as
 * `ip_fragment_overlap_conflict` (evasion attempts, teardrop); an overlap with equal bytes
 * (a retransmission) is not an anomaly, and a fragment wholly inside one already held is
 * not stored again.
 *
 * Bounds (limits.ts): maxFragmentDatagrams partial datagrams (the oldest is evicted),
 * maxFragmentsPerDatagram (the datagram is dropped), maxFragmentBytesTotal held bytes (oldest
 * datagrams are evicted to make room) and fragmentTimeoutSec of capture time since a
 * datagram's first fragment. Expiry is checked whenever a fragment arrives and walks the
 * datagrams in arrival order, stopping at the first one still young: captures whose clock
 * jumps backwards keep such datagrams until room is needed.
 *
 * Only the fragment path allocates (a key string, copies of the fragment bytes, the joined
 * buffer); ordinary packets never reach this module.
 */
import type { AnomalySink } from '../anomaly.js';
import type { Limits } from '../limits.js';

/** an IPv4 datagram is at most 65535 bytes including its (≥ 20-byte) header */
const IPV4_MAX_PAYLOAD = 65535 - 20;
/** the IPv6 payload length field is 16 bits (jumbograms are never fragmented) */
const IPV6_MAX_PAYLOAD = 65535;

interface HeldFragment {
  start: number;
  end: number;
  data: Uint8Array;
}

interface PendingDatagram {
  key: string;
  firstTsSec: number;
  fragments: HeldFragment[];
  /** header bytes from the offset-0 fragment (IPv6: up to the fragment header) */
  header: Uint8Array | null;
  /** IPv6: the first fragment's next header, and where to write it in `header` */
  nextHeader: number;
  nextHeaderOff: number;
  /** payload length, fixed by the fragment without "more fragments"; −1 until then */
  totalLen: number;
  heldBytes: number;
}

export class FragmentReassembler {
  private readonly pending = new Map<string, PendingDatagram>();
  private held = 0;

  constructor(
    private readonly limits: Limits,
    private readonly sink: AnomalySink,
  ) {}

  /** partial datagrams held */
  get datagrams(): number {
    return this.pending.size;
  }

  /** fragment and header bytes held */
  get heldBytes(): number {
    return this.held;
  }

  /**
   * Adds an IPv4 fragment whose header is b[ipOff, ipOff+headerLen) and data runs to `end`.
   * Returns the joined datagram (header rewritten: total length set, MF and offset cleared)
   * when this fragment completes it, else null.
   */
  addIpv4(b: Uint8Array, ipOff: number, headerLen: number, end: number, fragmentOffset: number, more: boolean, tsSec: number): Uint8Array | null {
    const key = datagramKey('4', b, ipOff + 12, 8, (b[ipOff + 4] << 8) | b[ipOff + 5], b[ipOff + 9]);
    const joined = this.add(key, b, ipOff, headerLen, ipOff + headerLen, end, fragmentOffset, more, tsSec, IPV4_MAX_PAYLOAD, 0, 0);
    if (joined === null) return null;
    const total = joined.length;
    joined[2] = total >> 8;
    joined[3] = total & 0xff;
    joined[6] &= 0xc0; // keep the reserved and DF bits; clear MF and the offset
    joined[7] = 0;
    return joined;
  }

  /**
   * Adds an IPv6 fragment. The unfragmentable part is b[ipOff, ipOff+unfragmentableLen) (the
   * IPv6 header and the extension headers before the fragment header); `nextHeaderRel` is
   * where, relative to ipOff, the next-header byte that named the fragment header sits.
   * Returns the joined datagram without the fragment header (payload length and that
   * next-header byte rewritten) when this fragment completes it, else null.
   */
  addIpv6(
    b: Uint8Array,
    ipOff: number,
    unfragmentableLen: number,
    nextHeaderRel: number,
    dataOff: number,
    end: number,
    fragmentOffset: number,
    more: boolean,
    id: number,
    nextHeader: number,
    tsSec: number,
  ): Uint8Array | null {
    const key = datagramKey('6', b, ipOff + 8, 32, id, 0);
    const joined = this.add(
      key,
      b,
      ipOff,
      unfragmentableLen,
      dataOff,
      end,
      fragmentOffset,
      more,
      tsSec,
      IPV6_MAX_PAYLOAD - (unfragmentableLen - 40),
      nextHeader,
      nextHeaderRel,
    );
    if (joined === null) return null;
    const payloadLen = joined.length - 40;
    joined[4] = payloadLen >> 8;
    joined[5] = payloadLen & 0xff;
    return joined;
  }

  private add(
    key: string,
    b: Uint8Array,
    headerOff: number,
    headerLen: number,
    dataOff: number,
    dataEnd: number,
    start: number,
    more: boolean,
    tsSec: number,
    maxPayload: number,
    nextHeader: number,
    nextHeaderOff: number,
  ): Uint8Array | null {
    this.expire(tsSec);
    const end = start + (dataEnd - dataOff);
    if (end > maxPayload) {
      this.sink.anomaly('ip_fragment_too_large', dataOff, `${end} > ${maxPayload}`);
      return null;
    }
    let d = this.pending.get(key);
    if (d === undefined) {
      if (this.pending.size >= this.limits.maxFragmentDatagrams) {
        this.sink.anomaly('limit_reached', dataOff, 'maxFragmentDatagrams');
        this.evictOldest();
        if (this.pending.size >= this.limits.maxFragmentDatagrams) return null; // a cap of 0
      }
      d = { key, firstTsSec: tsSec, fragments: [], header: null, nextHeader: 0, nextHeaderOff: 0, totalLen: -1, heldBytes: 0 };
      this.pending.set(key, d);
    }

    if (!more) {
      if (d.totalLen < 0) {
        d.totalLen = end;
        if (maxEnd(d.fragments) > end) this.sink.anomaly('ip_fragment_inconsistent_length', dataOff, 'data past the last fragment');
      } else if (d.totalLen !== end) {
        this.sink.anomaly('ip_fragment_inconsistent_length', dataOff, `last fragment ends at ${end}, earlier one at ${d.totalLen}`);
      }
    } else if (d.totalLen >= 0 && end > d.totalLen) {
      this.sink.anomaly('ip_fragment_inconsistent_length', dataOff, 'data past the last fragment');
    }

    // compare with what is held: conflicting overlaps are reported, exact repeats not stored
    let conflict = false;
    let contained = false;
    for (const f of d.fragments) {
      const from = Math.max(start, f.start);
      const to = Math.min(end, f.end);
      if (from >= to) continue;
      if (f.start <= start && f.end >= end) contained = true;
      if (!conflict) {
        for (let i = from; i < to; i++) {
          if (b[dataOff + i - start] !== f.data[i - f.start]) {
            conflict = true;
            break;
          }
        }
      }
    }
    if (conflict) this.sink.anomaly('ip_fragment_overlap_conflict', dataOff, `bytes ${start}-${end}`);

    const headerNeeded = start === 0 && d.header === null ? headerLen : 0;
    if (!contained || headerNeeded > 0) {
      if (!contained && d.fragments.length >= this.limits.maxFragmentsPerDatagram) {
        this.sink.anomaly('limit_reached', dataOff, 'maxFragmentsPerDatagram');
        this.drop(d);
        return null;
      }
      const cost = (contained ? 0 : end - start) + headerNeeded;
      if (this.held + cost > this.limits.maxFragmentBytesTotal) {
        this.sink.anomaly('limit_reached', dataOff, 'maxFragmentBytesTotal');
        while (this.held + cost > this.limits.maxFragmentBytesTotal && this.pending.size > 1) this.evictOldest(d);
        if (this.held + cost > this.limits.maxFragmentBytesTotal) {
          this.drop(d);
          return null;
        }
      }
      if (!contained) d.fragments.push({ start, end, data: b.slice(dataOff, dataEnd) });
      if (headerNeeded > 0) {
        d.header = b.slice(headerOff, headerOff + headerLen);
        d.nextHeader = nextHeader;
        d.nextHeaderOff = nextHeaderOff;
      }
      d.heldBytes += cost;
      this.held += cost;
    }

    if (d.header === null || d.totalLen < 0 || !covers(d.fragments, d.totalLen)) return null;
    return this.join(d);
  }

  private join(d: PendingDatagram): Uint8Array {
    const header = d.header!;
    const joined = new Uint8Array(header.length + d.totalLen);
    joined.set(header, 0);
    if (d.nextHeaderOff > 0) joined[d.nextHeaderOff] = d.nextHeader;
    // last-arrived first, so that first-arrived bytes overwrite them (first policy)
    for (let i = d.fragments.length - 1; i >= 0; i--) {
      const f = d.fragments[i];
      if (f.start >= d.totalLen) continue;
      const n = Math.min(f.end, d.totalLen) - f.start;
      joined.set(n === f.data.length ? f.data : f.data.subarray(0, n), header.length + f.start);
    }
    this.drop(d);
    return joined;
  }

  /** Drops partial datagrams whose first fragment is older than fragmentTimeoutSec. */
  private expire(tsSec: number): void {
    const limit = tsSec - this.limits.fragmentTimeoutSec;
    for (const d of this.pending.values()) {
      if (d.firstTsSec >= limit) break;
      this.sink.anomaly('ip_fragment_timeout', 0, `${d.fragments.length} fragment(s) held`);
      this.drop(d);
    }
  }

  private evictOldest(keep?: PendingDatagram): void {
    for (const d of this.pending.values()) {
      if (d === keep) continue;
      this.drop(d);
      return;
    }
  }

  private drop(d: PendingDatagram): void {
    this.pending.delete(d.key);
    this.held -= d.heldBytes;
  }
}

/** True when the fragments cover [0, total) without a hole. */
function covers(fragments: HeldFragment[], total: number): boolean {
  let pos = 0;
  for (;;) {
    let reach = pos;
    for (const f of fragments) if (f.start <= pos && f.end > reach) reach = f.end;
    if (reach >= total) return true;
    if (reach === pos) return false;
    pos = reach;
  }
}

function maxEnd(fragments: HeldFragment[]): number {
  let m = 0;
  for (const f of fragments) if (f.end > m) m = f.end;
  return m;
}

/** A compact string key: the address bytes as 16-bit chars, then id and protocol. */
function datagramKey(version: string, b: Uint8Array, addrOff: number, addrLen: number, id: number, proto: number): string {
  let key = version;
  for (let i = 0; i < addrLen; i += 2) key += String.fromCharCode((b[addrOff + i] << 8) | b[addrOff + i + 1]);
  return key + String.fromCharCode(id >>> 16, id & 0xffff, proto);
}
