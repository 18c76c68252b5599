/** Anomaly codes of src/leaks/ (see src/anomaly.ts): `code: one-line description`. */
export const LEAK_ANOMALIES = {
  leak_decompress_failed: 'a payload with a gzip/zlib header (or Content-Encoding) did not decompress; detail names the layer',
  leak_json_malformed: 'a payload declared or shaped as JSON did not parse; detail names the layer',
  leak_sensors_crc_mismatch: 'a Sensors Data upload carries a crc that is not the hash of its data field (altered or non-SDK sender)',
} as const;
