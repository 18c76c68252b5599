/**
 * What the analyzers ask of key material: the secrets logged for one TLS or QUIC connection,
 * found by its ClientHello random (RFC 9850: with ECH, the inner ClientHello's). Where the
 * secrets came from (a key log file, a pcapng Decryption Secrets Block) is the key source's
 * business; the analyzers only look up and report what they could open.
 */

/** Secrets of one connection, as RFC 9850 labels them; every field is optional. */
export interface TlsSecrets {
  /** TLS ≤ 1.2: CLIENT_RANDOM, the 48-byte master secret */
  masterSecret?: Buffer;
  /** TLS 1.3 and QUIC */
  clientEarlyTrafficSecret?: Buffer;
  clientHandshakeTrafficSecret?: Buffer;
  serverHandshakeTrafficSecret?: Buffer;
  clientTrafficSecret0?: Buffer;
  serverTrafficSecret0?: Buffer;
  exporterSecret?: Buffer;
  /** the key source that supplied the secrets (a file name, or "embedded in the capture") */
  source: string;
}

export interface KeyLookup {
  /** the secrets logged for the connection whose ClientHello carried `clientRandom` (32 bytes) */
  lookup(clientRandom: Uint8Array): TlsSecrets | undefined;
  /** the connection these secrets were looked up for decrypted with them (counted per key source) */
  opened?(secrets: TlsSecrets): void;
  /** no source holds any secret (yet): analyzers need not prepare to decrypt */
  readonly empty?: boolean;
}
