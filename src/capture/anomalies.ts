/** Anomaly codes of src/capture/ (see src/anomaly.ts): `code: one-line description`. */
export const CAPTURE_ANOMALIES = {
} as const;
