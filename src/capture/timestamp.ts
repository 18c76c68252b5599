/**
 * pcapng timestamps: a 64-bit count of units since the epoch, split into two 32-bit words,
 * with the unit given per interface by if_tsresol (10^-N or 2^-N seconds). Nanosecond
 * counts exceed 2^53, so the common decimal units are divided exactly in 16-bit limbs
 * (no BigInt, no allocation); unusual units fall back to BigInt.
 */

/** A timestamp unit, derived once per interface from its if_tsresol byte. */
export interface TimestampUnit {
  /** 10^N for decimal N ≤ 9, else 0 (use the BigInt path) */
  decimalDivisor: number;
  /** 10^(9-N): multiplies the remainder into nanoseconds (decimal path) */
  nsecPerUnit: number;
  /** units per second for the BigInt path */
  unitsPerSecond: bigint;
  /** 'us' | 'ns' | '10^-N' | '2^-N' */
  label: string;
}

/** The unit named by an if_tsresol option byte (pcapng §4.2): MSB clear → 10^-N, set → 2^-N. */
export function timestampUnit(tsresol: number): TimestampUnit {
  const n = tsresol & 0x7f;
  if (tsresol & 0x80) {
    return { decimalDivisor: 0, nsecPerUnit: 0, unitsPerSecond: 1n << BigInt(n), label: `2^-${n}` };
  }
  const label = n === 6 ? 'us' : n === 9 ? 'ns' : `10^-${n}`;
  if (n <= 9) return { decimalDivisor: 10 ** n, nsecPerUnit: 10 ** (9 - n), unitsPerSecond: 10n ** BigInt(n), label };
  return { decimalDivisor: 0, nsecPerUnit: 0, unitsPerSecond: 10n ** BigInt(n), label };
}

/** the pcapng default when an interface has no if_tsresol: microseconds */
export const MICROSECONDS = timestampUnit(6);

/** Reused output of splitTimestamp (one per parser). */
export interface SplitTimestamp {
  sec: number;
  nsec: number;
}

const TWO_32 = 4294967296;
const TWO_53 = 9007199254740992;

/** Splits the unit count hi·2^32 + lo into whole seconds and nanoseconds, into `out`. */
export function splitTimestamp(hi: number, lo: number, unit: TimestampUnit, out: SplitTimestamp): void {
  const d = unit.decimalDivisor;
  if (d !== 0) {
    const v = hi * TWO_32 + lo;
    if (v < TWO_53) {
      // exact below 2^53; the float quotient can round up by one, so correct it
      let sec = Math.floor(v / d);
      let rem = v - sec * d;
      if (rem < 0) {
        sec -= 1;
        rem += d;
      }
      out.sec = sec;
      out.nsec = rem * unit.nsecPerUnit;
      return;
    }
    // long division in base 2^16: every intermediate stays below d·2^16 < 2^53
    let cur = hi >>> 16;
    const q3 = Math.floor(cur / d);
    let r = cur - q3 * d;
    cur = r * 65536 + (hi & 0xffff);
    const q2 = Math.floor(cur / d);
    r = cur - q2 * d;
    cur = r * 65536 + (lo >>> 16);
    const q1 = Math.floor(cur / d);
    r = cur - q1 * d;
    cur = r * 65536 + (lo & 0xffff);
    const q0 = Math.floor(cur / d);
    r = cur - q0 * d;
    out.sec = ((q3 * 65536 + q2) * 65536 + q1) * 65536 + q0;
    out.nsec = r * unit.nsecPerUnit;
    return;
  }
  const v = (BigInt(hi) << 32n) | BigInt(lo);
  const ups = unit.unitsPerSecond;
  out.sec = Number(v / ups);
  out.nsec = Number(((v % ups) * 1_000_000_000n) / ups);
}
