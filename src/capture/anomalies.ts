/** Anomaly codes of src/capture/ (see src/anomaly.ts): `code: one-line description`. */
export const CAPTURE_ANOMALIES = {
  pcap_record_truncated: 'the capture ends inside a record header or its data; reading stopped, earlier frames kept',
  pcap_caplen_exceeds_limit: 'a record claims more captured bytes than maxRecordBytes (a corrupt length); reading stopped',
  pcap_caplen_exceeds_snaplen: 'a record holds more bytes than the file header snaplen (read anyway, as tshark does)',
  pcap_caplen_exceeds_origlen: 'a record holds more captured bytes than it had on the wire (read anyway)',
  pcap_lengths_swapped: 'caplen > origlen in a pcap older than 2.3: the two fields were swapped back (as Wireshark does)',
  pcap_timestamp_fraction_invalid: 'a timestamp fraction of one second or more; the whole seconds were carried over',
  pcapng_block_truncated: 'the capture ends inside a pcapng block; reading stopped, earlier frames kept',
  pcapng_block_length_invalid:
    'a pcapng block length below 12, not a multiple of 4, above maxBlockBytes, too short for its type, or unequal to its trailing copy; reading stopped',
  pcapng_byte_order_invalid: 'a section header block whose byte-order magic is neither 1a2b3c4d nor 4d3c2b1a; reading stopped',
  pcapng_version_unsupported: 'a section header block version other than 1.0 or 1.2 (tshark refuses it too); reading stopped',
  pcapng_interface_unknown: 'a packet block names an interface its section did not describe; reading stopped',
  pcapng_caplen_exceeds_block: 'a packet block claims more captured bytes than the block holds; reading stopped',
  pcapng_caplen_exceeds_limit: 'a packet block claims more captured bytes than maxRecordBytes; reading stopped',
  pcapng_option_invalid: 'a block option runs past the end of its block; the remaining options were ignored',
  pcapng_dsb_length_invalid: 'a decryption secrets block whose secrets_len runs past the block; its secrets were skipped',
  pcapng_dsb_type_unsupported: 'a decryption secrets block of a type other than TLS key log (SSH, WireGuard, Zigbee…); skipped and counted',
  capture_gzip_invalid: 'the gzip stream is corrupt or cut short; reading stopped, frames decompressed before it kept',
} as const;
