/**
 * Builds small MaxMind DB (.mmdb) files for tests, so the `--geo-db` / `--asn-db` paths can be
 * tested with MaxMind's GeoLite2 record layout without shipping MaxMind's data. Follows the
 * MaxMind DB 2.0 spec (https://maxmind.github.io/MaxMind-DB/): IPv6 tree (IPv4 under ::/96),
 * 24-bit records, a data section of maps/strings/doubles/uints, metadata after the marker.
 * The tests check these files with the `maxmind` package too, so the builder is not only
 * checked against our own reader.
 */

export type Value = string | number | boolean | Value[] | { [k: string]: Value } | { uint64: bigint };

export interface Entry {
  /** IPv4 `a.b.c.d/n` or IPv6 `x:y::/n` (IPv6 written in full groups or with `::`) */
  network: string;
  record: { [k: string]: Value };
}

function ctrl(type: number, size: number): number[] {
  const out: number[] = [];
  const sizeBits = size < 29 ? size : size < 285 ? 29 : size < 65821 ? 30 : 31;
  if (type <= 7) out.push((type << 5) | sizeBits);
  else out.push(sizeBits, type - 7);
  if (sizeBits === 29) out.push(size - 29);
  else if (sizeBits === 30) out.push((size - 285) >> 8, (size - 285) & 0xff);
  else if (sizeBits === 31) out.push((size - 65821) >> 16, ((size - 65821) >> 8) & 0xff, (size - 65821) & 0xff);
  return out;
}

function uintBytes(v: bigint): number[] {
  const out: number[] = [];
  while (v > 0n) {
    out.unshift(Number(v & 0xffn));
    v >>= 8n;
  }
  return out;
}

export function encodeValue(v: Value): number[] {
  if (typeof v === 'string') {
    const b = [...Buffer.from(v, 'utf8')];
    return [...ctrl(2, b.length), ...b];
  }
  if (typeof v === 'boolean') return ctrl(14, v ? 1 : 0);
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= 0 && v <= 0xffffffff) {
      const b = uintBytes(BigInt(v));
      return [...ctrl(v <= 0xffff ? 5 : 6, b.length), ...b];
    }
    const d = Buffer.alloc(8);
    d.writeDoubleBE(v);
    return [...ctrl(3, 8), ...d];
  }
  if (Array.isArray(v)) return [...ctrl(11, v.length), ...v.flatMap(encodeValue)];
  if ('uint64' in v && typeof v.uint64 === 'bigint') {
    const b = uintBytes(v.uint64);
    return [...ctrl(9, b.length), ...b];
  }
  const keys = Object.keys(v);
  return [...ctrl(7, keys.length), ...keys.flatMap((k) => [...encodeValue(k), ...encodeValue((v as { [k: string]: Value })[k])])];
}

function networkBits(network: string): number[] {
  const [addr, lenText] = network.split('/');
  const len = Number(lenText);
  let bytes: number[];
  let offset = 0;
  if (addr.includes('.')) {
    bytes = [...Array(12).fill(0), ...addr.split('.').map(Number)];
    offset = 96;
  } else {
    const [head, tail = ''] = addr.split('::');
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t].map((g) => parseInt(g, 16));
    bytes = groups.flatMap((g) => [g >> 8, g & 0xff]);
  }
  const bits: number[] = [];
  for (let i = 0; i < offset + len; i++) bits.push((bytes[i >> 3] >> (7 - (i & 7))) & 1);
  return bits;
}

/** A complete .mmdb file holding `entries` (more specific networks must not be shadowed). */
export function buildMmdb(opts: { databaseType: string; entries: Entry[]; buildEpoch?: number; languages?: string[] }): Buffer {
  // trie over address bits: node → [left, right], each a node index, a data ref or EMPTY
  const EMPTY = -1;
  const nodes: Array<[number | { data: number }, number | { data: number }]> = [[EMPTY, EMPTY]];
  const data: number[] = [];
  for (const e of opts.entries) {
    const bits = networkBits(e.network);
    const ref = { data: data.length };
    data.push(...encodeValue(e.record));
    let node = 0;
    for (let i = 0; i < bits.length; i++) {
      const b = bits[i];
      if (i === bits.length - 1) {
        nodes[node][b] = ref;
        break;
      }
      const next = nodes[node][b];
      if (typeof next === 'number' && next !== EMPTY) {
        node = next;
        continue;
      }
      if (typeof next === 'object') throw new Error(`${e.network} lies inside an earlier, shorter network`);
      nodes.push([EMPTY, EMPTY]);
      nodes[node][b] = nodes.length - 1;
      node = nodes.length - 1;
    }
  }
  const nodeCount = nodes.length;
  const tree = Buffer.alloc(nodeCount * 6);
  const value = (r: number | { data: number }): number => (typeof r === 'object' ? nodeCount + 16 + r.data : r === EMPTY ? nodeCount : r);
  nodes.forEach(([l, r], i) => {
    tree.writeUIntBE(value(l), i * 6, 3);
    tree.writeUIntBE(value(r), i * 6 + 3, 3);
  });
  const metadata = encodeValue({
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: { uint64: BigInt(opts.buildEpoch ?? 1_700_000_000) },
    database_type: opts.databaseType,
    description: { en: `leakscope test database (${opts.databaseType})` },
    ip_version: 6,
    languages: opts.languages ?? ['en'],
    node_count: nodeCount,
    record_size: 24,
  });
  return Buffer.concat([tree, Buffer.alloc(16), Buffer.from(data), Buffer.from('abcdef4d61784d696e642e636f6d', 'hex'), Buffer.from(metadata)]);
}
