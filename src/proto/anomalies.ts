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
  quic_frame_malformed: 'a decrypted QUIC Initial holds a frame that is cut short or not allowed in Initial packets',
  quic_crypto_conflict: 'CRYPTO frames of one QUIC connection carry different bytes for the same offset',

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

  // DNS (src/proto/dns.ts); offsets are within the DNS message
  dns_truncated: 'a DNS message ends before its header, a question or a record is complete (snaplen, a cut datagram); what was parsed is kept',
  dns_name_malformed: 'a DNS name uses a reserved label type or is longer than 255 bytes',
  dns_compression_loop: 'a DNS name compression pointer leads back to a pointer already followed',
  dns_tcp_gap: 'bytes of a DNS-over-TCP stream were not captured; message boundaries cannot be found again, so the direction is no longer parsed',
  dns_record_malformed: 'a DNS record\'s data does not fit its type (an A record that is not 4 bytes, a name overrunning its RDATA); detail names the type',
} as const;
