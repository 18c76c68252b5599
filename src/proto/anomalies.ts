/** Anomaly codes of src/proto/ (see src/anomaly.ts): `code: one-line description`. */
export const PROTO_ANOMALIES = {
  // TLS and QUIC (src/proto/tls*.ts, ja4.ts, x509.ts, quic*.ts)
  mipush_handshake_unreadable: 'a MiPush client opened with a plaintext blob that is not a readable CONN (detail: its command); no handshake is reported',
  tls_record_malformed: 'a TLS record header has an unknown content type, a non-TLS version or a length over 2^14+2048; the stream is no longer parsed',
  tls_handshake_interleaved: 'a non-handshake record arrived in the middle of a handshake message',
  tls_gap: 'bytes of a TLS stream were not captured before its handshake went encrypted; records cannot be found again, so the direction is no longer parsed',
  tls_client_hello_malformed: 'a ClientHello is cut short or has a length field that overruns its container; detail names the field',
  tls_server_hello_malformed: 'a ServerHello is cut short or has a length field that overruns its container; detail names the field',
  tls_certificate_malformed: 'a Certificate message is cut short or has a length field that overruns its container',
  x509_malformed: 'a certificate is not valid DER where its names were expected; detail names the part',
  quic_initial_malformed: 'a QUIC Initial long header is cut short or has an impossible length; detail names the field',
  quic_decrypt_failed: 'a QUIC Initial did not authenticate with the keys derived from its destination connection ID',
  quic_frame_malformed:
    'a decrypted QUIC packet holds a frame that is cut short, of an unknown type or not allowed in Initial packets; the rest of the packet is skipped',
  quic_packet_malformed:
    'a QUIC packet of a connection being decrypted is cut short or has an impossible length field; detail names the field; the rest of the datagram is skipped',
  quic_packet_auth_failed: 'a QUIC Handshake, 0-RTT or 1-RTT packet did not authenticate with the logged secrets (a wrong key, or damage); it was skipped',
  quic_crypto_conflict: 'CRYPTO frames of one QUIC connection carry different bytes for the same offset',

  // HTTP/3 and QPACK (src/proto/http3.ts, qpack.ts); offsets are stream offsets
  http3_frame_malformed: 'an HTTP/3 frame is cut short or over its cap (HEADERS/SETTINGS over maxHttpHeaderBytes); the stream is no longer parsed',
  qpack_decode_failed:
    'an HTTP/3 field section does not decode (an index outside the tables, a bad Required Insert Count, bad Huffman, over the header caps); detail says why; its request or response is not reported',
  qpack_encoder_stream_malformed:
    "a QPACK encoder-stream instruction is malformed or breaks a cap (a table capacity over maxQpackTableCapacity or the peer's maximum); that side's dynamic-table references no longer decode",
  qpack_blocked_unresolved:
    'an HTTP/3 field section waited for encoder-stream inserts that never arrived (not captured, or a blocked-stream flood); its request or response is not reported',

  // HTTP/1.x (src/proto/http1.ts, content-encoding.ts); offsets are stream offsets
  http_request_malformed: 'bytes where a request line was expected are not `METHOD SP target SP HTTP/x.y`; the direction is no longer parsed',
  http_response_malformed: 'bytes where a status line was expected are not `HTTP/x.y NNN reason`; the direction is no longer parsed',
  http_header_malformed: 'a header line has no field name and colon, or an invalid name character; the line was skipped',
  http_content_length_invalid: 'Content-Length is not a decimal number or has conflicting values; the direction is no longer parsed',
  http_transfer_encoding_unsupported: 'a request has a Transfer-Encoding other than chunked, so its length is unknown; the direction is no longer parsed',
  http_te_and_cl: 'a request has both Transfer-Encoding and Content-Length (a request-smuggling sign); chunked framing was used',
  http_chunk_malformed: 'a chunk size is not hex or overflows, or chunk data is not followed by CRLF; detail says which; the direction is no longer parsed',
  http_body_decode_failed: 'a body could not be decoded per its Content-Encoding; detail is the coding and error; the body is kept as far as it decoded',
  http_message_incomplete: 'the stream ended inside a message head or body; detail says which',

  // HPACK and HTTP/2 (src/proto/hpack.ts, http2.ts); offsets are stream offsets
  hpack_malformed:
    "a header block cannot be decoded (cut short, an index outside the tables, a bad Huffman string, an integer over 2^32); detail says which; the direction's later header blocks are not decoded, as the dynamic table may differ from the sender's",
  http2_preface_missing: 'the client side of an HTTP/2 connection does not begin with the connection preface (PRI * HTTP/2.0); the connection is not parsed',
  http2_frame_malformed:
    "an HTTP/2 frame breaks a framing rule (padding longer than the frame, a frame between a header block's frames, a CONTINUATION with no block open, a SETTINGS length not a multiple of 6, stream 0 where a stream is needed); detail says which; the frame is skipped",
  http2_gap: 'bytes of an HTTP/2 direction were not captured: frame boundaries and the HPACK state are lost, so the direction is no longer parsed',
  http2_message_invalid: 'an HTTP/2 header block lacks the pseudo-headers a request (:method, :path) or response (:status) needs; the stream is not reported',
  http2_stream_incomplete: 'the capture ended before an HTTP/2 request or response finished (no END_STREAM); what arrived is reported',
  hpack_table_size_update_invalid:
    'an HPACK dynamic table size update above the SETTINGS_HEADER_TABLE_SIZE the decoder announced, or after the first field of a block; it was applied',

  // DNS (src/proto/dns.ts); offsets are within the DNS message
  dns_truncated: 'a DNS message ends before its header, a question or a record is complete (snaplen, a cut datagram); what was parsed is kept',
  dns_name_malformed: 'a DNS name uses a reserved label type or is longer than 255 bytes',
  dns_compression_loop: 'a DNS name compression pointer leads back to a pointer already followed',
  dns_tcp_gap: 'bytes of a DNS-over-TCP stream were not captured; message boundaries cannot be found again, so the direction is no longer parsed',
  dns_record_malformed: "a DNS record's data does not fit its type (an A record that is not 4 bytes, a name overrunning its RDATA); detail names the type",
} as const;
