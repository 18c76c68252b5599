/** Anomaly codes of src/decode/ (see src/anomaly.ts): `code: one-line description`. */
export const DECODE_ANOMALIES = {
  link_type_unsupported: 'frames of a link type leakscope does not decode (counted per type; reported once per type)',
  raw_ip_bad_version: 'raw IP link type but the first nibble is neither 4 nor 6',
  pppoe_bad_version_type: 'PPPoE session header whose version/type is not 1/1',
  ipv4_bad_version: 'IPv4 expected (ethertype/protocol) but the version field is not 4',
  ipv4_header_length_lt_20: 'IPv4 header length (IHL) below 5 words',
  ipv4_total_length_lt_header: 'IPv4 total length smaller than its header length',
  ipv4_total_length_zero: 'IPv4 total length 0 (segmentation offload or BIG TCP capture): the captured length was used',
  ipv6_bad_version: 'IPv6 expected (ethertype/next header) but the version field is not 6',
  ipv6_payload_length_zero: 'IPv6 payload length 0 with a payload (jumbogram or segmentation offload): the captured length was used',
  ipv6_extension_beyond_payload: 'an IPv6 extension header extends past the payload length',
  ipv6_hop_by_hop_not_first: 'an IPv6 hop-by-hop options header that does not directly follow the IPv6 header',
  ip_fragment_overlap_conflict: 'IP fragments overlap with different bytes (first-arrived bytes kept; evasion or teardrop)',
  ip_fragment_inconsistent_length: 'IP fragments disagree on the datagram length (two last fragments, or data past the last one)',
  ip_fragment_too_large: 'an IP fragment ends beyond the largest possible datagram (ping of death); dropped',
  ip_fragment_timeout: 'a partial IP datagram expired (capture time) before all its fragments arrived',
  gtpu_bad_extension_length: 'GTP-U extension header of length 0 or past the end of the header',
  tcp_data_offset_lt_5: 'TCP data offset below 5 words',
  tcp_header_beyond_segment: 'TCP data offset points past the end of the IP payload',
  tcp_option_length_lt_2: 'TCP option with length below 2 (option walk stopped)',
  tcp_option_beyond_header: 'TCP option longer than the space left in the TCP header (option walk stopped)',
  udp_header_beyond_ip: 'IP payload shorter than the 8-byte UDP header',
  udp_length_lt_8: 'UDP length field below the 8-byte header',
  udp_length_beyond_ip: 'UDP length field larger than the IP payload',
} as const;

export type DecodeAnomalyCode = keyof typeof DECODE_ANOMALIES;
