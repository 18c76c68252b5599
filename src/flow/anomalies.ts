/** Anomaly codes of src/flow/ (see src/anomaly.ts): `code: one-line description`. */
export const FLOW_ANOMALIES = {
  tcp_overlap_conflict: 'TCP segments overlap with different bytes (first-arrived bytes kept; evasion or a broken middlebox)',
  tcp_syn_seq_changed: 'a SYN with a new initial sequence number on a live (not closed) TCP stream; ignored',
} as const;
