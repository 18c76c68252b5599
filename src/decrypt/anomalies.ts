/** Anomaly codes of src/decrypt/ (see src/anomaly.ts): `code: one-line description`. */
export const DECRYPT_ANOMALIES = {
  tls_decrypt_failed: 'a protected TLS record did not authenticate with the logged secrets (a wrong key, or damaged bytes); counted, its content not used',
  tls_decrypt_unsupported: 'secrets were logged for a TLS connection whose version (SSL 3.0) or cipher suite leakscope cannot decrypt; its records are counted',
  tls_decrypt_stream_lost: 'a decrypted TLS direction lost bytes (a capture gap) or stopped being TLS records: decryption of that direction stopped there',
} as const;
