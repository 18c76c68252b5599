/** Anomaly codes of src/flow/ (see src/anomaly.ts): `code: one-line description`. */
export const FLOW_ANOMALIES = {
} as const;
