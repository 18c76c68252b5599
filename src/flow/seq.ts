/**
 * Wrap-safe TCP sequence arithmetic (RFC 1982 serial numbers; gopacket's Sequence.Difference).
 * Sequence numbers are unsigned 32-bit values kept as JS numbers in [0, 2^32).
 */

/** How far `a` lies after `b`, in (-2^31, 2^31]: negative when `a` is before `b`. */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** `seq + n` modulo 2^32. */
export function seqAdd(seq: number, n: number): number {
  return (seq + n) >>> 0;
}
