/**
 * The status codes every step-wise parser shares: a step returns a length, an offset or a layer
 * id (all ≥ 0), or one of these. Defined once, so a value means the same thing wherever it is
 * returned (decode layers, stream framers, the capture reader).
 */

/** the bytes so far are not enough to say anything: call again with more */
export const NEED_MORE = -1;
/** the bytes cannot be what was expected (the caller reports the anomaly, or already did) */
export const MALFORMED = -2;
/** the snaplen cut the bytes short: what was captured is kept, marked truncated */
export const TRUNCATED = -3;
/** a cap from limits.ts was hit: `limit_reached` was reported */
export const LIMITED = -4;
/** nothing more can be read here (a damaged file, a parser that gave up) */
export const STOP = -5;

export type Status = typeof NEED_MORE | typeof MALFORMED | typeof TRUNCATED | typeof LIMITED | typeof STOP;
