/** Anomaly codes of src/leaks/ (see src/anomaly.ts): `code: one-line description`. */
export const LEAK_ANOMALIES = {
} as const;
