/** Anomaly codes of src/decode/ (see src/anomaly.ts): `code: one-line description`. */
export const DECODE_ANOMALIES = {
} as const;
