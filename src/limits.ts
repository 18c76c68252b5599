/**
 * Every resource cap in leakscope, in one place (Zeek's named limits, msgpack's maxStrLength).
 * Each has a default, a one-line reason, and can be overridden per run (`--limit name=value`).
 * Hitting a cap is never silent: the code that enforces it reports a `limit_reached` anomaly
 * whose detail is the limit's name.
 */
export const DEFAULT_LIMITS = {
  // capture reader
  /** records larger than this are treated as damage (libpcap's own maximum is 256 KiB) */
  maxRecordBytes: 256 * 1024,
  /** pcapng blocks larger than this are treated as damage */
  maxBlockBytes: 16 * 1024 * 1024,
  /** bytes read from the file per chunk: small enough to stay in the core's cache between the
   * kernel's copy and the parser's pass, and above the largest IP packet (64 KiB) */
  readChunkBytes: 128 * 1024,

  // decoding
  /** nested VLAN tags / tunnel layers followed before giving up */
  maxEncapsulationDepth: 8,
  /** IPv6 extension headers followed per packet */
  maxIpv6ExtensionHeaders: 16,
  /** datagrams being reassembled from fragments at once */
  maxFragmentDatagrams: 4096,
  /** fragments held for one datagram */
  maxFragmentsPerDatagram: 128,
  /** bytes held in fragment buffers overall */
  maxFragmentBytesTotal: 32 * 1024 * 1024,
  /** seconds (capture time) a partial datagram is kept */
  fragmentTimeoutSec: 60,

  // flows and reassembly
  /** live flows (TCP + UDP) tracked at once; the idlest is evicted beyond this */
  maxFlows: 50_000,
  /** seconds of capture time after which an idle TCP flow is closed */
  tcpIdleTimeoutSec: 600,
  /** seconds of capture time after which an idle UDP flow is closed */
  udpIdleTimeoutSec: 120,
  /** out-of-order bytes buffered per stream direction */
  maxBufferedBytesPerStream: 1024 * 1024,
  /** out-of-order bytes buffered across all streams */
  maxBufferedBytesTotal: 64 * 1024 * 1024,
  /** out-of-order segments held per stream direction */
  maxBufferedSegmentsPerStream: 2048,
  /** seconds (capture time) a TCP stream closed by FIN/RST is kept for trailing ACKs and retransmits */
  tcpCloseLingerSec: 10,

  // application parsers
  /** bytes of one TLS handshake message accepted (ClientHellos with big key shares fit) */
  maxTlsHandshakeBytes: 64 * 1024,
  /** bytes of a MiPush handshake held until it is whole (a blob's body is at most 32 KiB; an XMPP stream open a few hundred bytes) */
  maxPushHandshakeBytes: 40 * 1024,
  /** TLS extensions parsed per hello */
  maxTlsExtensions: 128,
  /** certificate bytes parsed per chain */
  maxCertificateBytes: 256 * 1024,
  /** bytes of one HTTP request or response head */
  maxHttpHeaderBytes: 64 * 1024,
  /** header lines per HTTP message */
  maxHttpHeaders: 256,
  /** request body bytes kept for leak analysis (the rest is counted) */
  maxHttpBodyBytes: 4 * 1024 * 1024,
  /** requests parsed per connection */
  maxHttpRequestsPerStream: 100_000,
  /** bytes produced by decompressing one body or payload layer */
  maxDecompressedBytes: 16 * 1024 * 1024,
  /** HPACK dynamic table size accepted from a peer (SETTINGS_HEADER_TABLE_SIZE, size updates); browsers use 64 KiB */
  maxHpackTableBytes: 64 * 1024,
  /** bytes of one HTTP/2 header block (HEADERS or PUSH_PROMISE and its CONTINUATION frames) */
  maxHttp2HeaderBlockBytes: 256 * 1024,
  /** CONTINUATION frames of one header block (each may be empty: a count bounds them where bytes cannot) */
  maxHttp2ContinuationFrames: 1024,
  /** HTTP/2 streams with a request or response in progress per connection */
  maxHttp2OpenStreams: 512,
  /** request body bytes held across the open streams of one HTTP/2 connection (each also capped by maxHttpBodyBytes) */
  maxHttp2BufferedBodyBytes: 16 * 1024 * 1024,
  /** DNS compression pointers followed per name */
  maxDnsCompressionHops: 32,
  /** resource records parsed per DNS message */
  maxDnsRecords: 512,
  /** QUIC connections whose Initial CRYPTO data is being joined */
  maxQuicPendingConnections: 4096,
  /** CRYPTO bytes joined per QUIC connection */
  maxQuicCryptoBytes: 64 * 1024,
  /** streams tracked per direction of one decrypted QUIC connection (the oldest is forgotten beyond this) */
  maxQuicStreamsPerConnection: 4096,
  /** STREAM bytes held behind a hole per stream (out of order); past it the stream is given up */
  maxQuicStreamBufferedBytes: 1024 * 1024,
  /** connection IDs remembered per direction of one QUIC connection (to find short headers' DCID length) */
  maxQuicConnectionIds: 64,
  /** QPACK dynamic table capacity followed per direction (an encoder asking for more is a QPACK bomb) */
  maxQpackTableCapacity: 1024 * 1024,
  /** HTTP/3 field sections waiting for encoder-stream inserts per connection (RFC 9204 blocked streams) */
  maxQpackBlockedSections: 128,
  /** bytes of those blocked field sections held per connection */
  maxQpackBlockedBytes: 1024 * 1024,

  // decryption (key logs, Decryption Secrets Blocks, TLS records)
  /** characters of one key log line (the longest legitimate ones are ECH_CONFIG lines) */
  maxKeyLogLineBytes: 64 * 1024,
  /** bytes of one key log file or Decryption Secrets Block (Wireshark refuses DSBs over 1 GiB) */
  maxKeyLogBytes: 256 * 1024 * 1024,
  /** bytes of a TLS-compressed (RFC 3749 DEFLATE) direction inflated: each record re-inflates the stream so far */
  maxTlsCompressedBytes: 1024 * 1024,

  // payload peeling and leak detection
  /** decode layers stacked (url → base64 → gzip → json …) */
  maxPeelDepth: 8,
  /** JSON nesting followed */
  maxJsonDepth: 64,
  /** string values inspected per payload */
  maxValuesPerPayload: 20_000,
  /** distinct leaked values kept per host and kind (a browser-history upload can carry thousands of URLs) */
  maxLeakValuesPerKind: 10_000,
  /** evidence references kept per leaked value */
  maxEvidencePerValue: 50,

  // HTML report (the JSON keeps everything the caps above keep; the page says what it leaves out)
  /** leaked values listed per host and kind in the HTML report */
  htmlValuesPerKind: 200,
  /** evidence references listed per value in the HTML report */
  htmlEvidencePerValue: 10,
  /** hosts drawn in the HTML report's timeline (hosts with findings first) */
  htmlTimelineHosts: 300,
  /** request times kept per host for the HTML report's timeline (more are counted) */
  htmlTimelineRequestsPerHost: 100_000,
  /** host sections in the HTML report (hosts with findings first) */
  htmlHosts: 2000,

  // memory
  /** old-generation heap (MB) past which a full garbage collection is asked for, so peak memory tracks live state (0: never) */
  heapSoftLimitMB: 24,

  // anomalies
  /** anomaly records kept per capture (counts stay exact) */
  maxAnomaliesKept: 10_000,

  // batch
  /** bytes of one tar pax header or GNU long name (metadata, not capture data) */
  maxTarMetaBytes: 1024 * 1024,
} as const;

export type LimitName = keyof typeof DEFAULT_LIMITS;
export type Limits = { -readonly [K in LimitName]: number };

/** Defaults merged with overrides; unknown names are a usage error. */
export function resolveLimits(overrides: Partial<Record<string, number>> = {}): Limits {
  const limits: Limits = { ...DEFAULT_LIMITS };
  for (const [name, value] of Object.entries(overrides)) {
    if (!(name in DEFAULT_LIMITS)) throw new RangeError(`unknown limit "${name}"; known: ${Object.keys(DEFAULT_LIMITS).join(', ')}`);
    if (value === undefined || !Number.isFinite(value) || value < 0) throw new RangeError(`limit ${name} must be a non-negative number`);
    limits[name as LimitName] = value;
  }
  return limits;
}
