/** Anomaly codes of src/proto/ (see src/anomaly.ts): `code: one-line description`. */
export const PROTO_ANOMALIES = {
} as const;
