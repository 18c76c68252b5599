/**
 * Test vectors from tshark: the decrypted HTTP/2 bytes of each TCP connection of a keyed capture,
 * per direction, made at test time (nothing from ../shared is copied into the repository).
 *
 * tshark decrypts with the key log and shows every HTTP/2 frame (the client preface included) as
 * an `http2.stream` item; with -x its `_raw` value holds the frame's bytes. Joined in capture
 * order per direction, they are the decrypted byte stream (TLS record and TCP segment boundaries
 * aside, which HTTP/2 does not see). A frame tshark could not decrypt is simply absent.
 */
import { execFileSync } from 'node:child_process';

export interface DecryptedHttp2 {
  tcpStream: number;
  clientPort: number;
  /** client → server bytes */
  client: Uint8Array;
  /** server → client bytes */
  server: Uint8Array;
  /** both directions' bytes in capture order, one piece per frame */
  pieces: { toServer: boolean; bytes: Uint8Array }[];
}

type Layer = Record<string, unknown>;
const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * The decrypted HTTP/2 connections of `pcap`, decrypted with `keys` (a key log file; null for keys
 * embedded in the capture); `serverPorts` are decoded as TLS (tshark does not know test ports).
 */
export function tsharkHttp2Streams(pcap: string, keys: string | null, serverPorts: number[]): DecryptedHttp2[] {
  const args = ['-r', pcap, '-T', 'json', '-x', '--no-duplicate-keys', '-Y', 'http2'];
  if (keys !== null) args.push('-o', `tls.keylog_file:${keys}`);
  for (const p of serverPorts) args.push('-d', `tcp.port==${p},tls`);
  const json = execFileSync('tshark', args, { maxBuffer: 512 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] }).toString('utf8');
  const packets = JSON.parse(json) as { _source: { layers: Layer } }[];
  const byStream = new Map<number, { clientPort: number; client: Buffer[]; server: Buffer[]; pieces: { toServer: boolean; bytes: Uint8Array }[] }>();
  for (const pkt of packets) {
    const layers = pkt._source.layers;
    const tcp = layers['tcp'] as Layer;
    const stream = Number(asList(tcp['tcp.stream'] as string)[0]);
    const src = Number(asList(tcp['tcp.srcport'] as string)[0]);
    const dst = Number(asList(tcp['tcp.dstport'] as string)[0]);
    const toServer = serverPorts.includes(dst);
    let conn = byStream.get(stream);
    if (conn === undefined) {
      conn = { clientPort: toServer ? src : dst, client: [], server: [], pieces: [] };
      byStream.set(stream, conn);
    }
    for (const h2 of asList(layers['http2'] as Layer | Layer[])) {
      for (const raw of asList(h2['http2.stream_raw'] as [string, ...unknown[]] | [string, ...unknown[]][] | undefined)) {
        // one item is [hex, offset, length, ...]; several are a list of those
        const hex = typeof raw === 'string' ? raw : raw[0];
        if (typeof hex !== 'string') continue;
        const bytes = Buffer.from(hex, 'hex');
        (toServer ? conn.client : conn.server).push(bytes);
        conn.pieces.push({ toServer, bytes: new Uint8Array(bytes) });
      }
    }
  }
  return [...byStream.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([tcpStream, c]) => ({
      tcpStream,
      clientPort: c.clientPort,
      client: new Uint8Array(Buffer.concat(c.client)),
      server: new Uint8Array(Buffer.concat(c.server)),
      pieces: c.pieces,
    }));
}
