/**
 * Reassembled bytes against tcpflow's: `streams --dump` writes each direction of each TCP
 * stream to a file named like tcpflow's; for the shared real captures the files must be
 * byte-identical. tcpflow 1.6 is installed by .ci/run (Debian package `tcpflow`); where it is
 * missing the comparison is skipped, loudly.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanCapture } from '../../src/engine/scan.js';
import { CORPUS_FILES, SHARED_CAPTURES } from '../helpers/paths.js';

const HAVE_TCPFLOW = spawnSync('tcpflow', ['-h']).status === 0; // (-V exits 1)
const work = mkdtempSync(path.join(tmpdir(), 'leakscope-tcpflow-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Captures whose every stream file is byte-identical to tcpflow's (names and contents). */
const IDENTICAL = [
  ...['dns.pcap', 'http_mixed.pcap', 'sensors_js.pcap', 'sensors_node.pcap', 'tls_browser.pcap', 'tls_curl_openssl.pcap'].map((f) =>
    path.join(SHARED_CAPTURES, f),
  ),
  ...[
    'nDPI__android.pcap',
    'nDPI__codm.pcap',
    'nDPI__dns_fragmented.pcap',
    'nDPI__dnscrypt-v2-doh.pcap',
    'nDPI__iphone.pcap',
    'nDPI__ocs.pcap',
    'nDPI__pinterest.pcap',
    'nDPI__quickplay.pcap',
    'nDPI__reddit.pcap',
    'nDPI__tls_2_reasms.pcapng',
    'nDPI__tls_ech.pcapng',
    'nDPI__tls_heur__vmess-tcp-tls.pcapng',
    'nDPI__tls_missing_ch_frag.pcap',
    'nDPI__tls_with_huge_ch.pcapng',
    'nDPI__tunnelbear.pcap',
    'scapy__http_chunk.pcap',
    'scapy__http_compressed.pcap',
    'suricata-verify__base64-decode-5885_input.pcap',
    'suricata-verify__bug-5881-01_input.pcap',
    'suricata-verify__community-id-ipv6_input.pcap',
    'zeek__1000-requests-one-dropped-response.pcap',
    'zeek__chrome-1250-tls-x25519-kyber.pcap',
    'zeek__dns-edns-ecs.pcap',
    'zeek__dssetup_DsRoleGetPrimaryDomainInformation_standalone_workstation.cap',
    'zeek__get-gzip.pcap',
    'zeek__http-post-large.pcap',
    'zeek__ssl-v2.pcap',
    'zeek__tcp-fast-open.pcap',
    'zeek__tls-fragmented-handshake.pcap',
    'zeek__tls13-ech.pcap',
    'zeek__tls13draft23-chrome67.0.3368.0-canary.pcap',
  ].map((f) => path.join(CORPUS_FILES, f)),
];

/**
 * Captures with VLAN tags: tcpflow appends `--<vlan>` to its file names, we do not; the
 * contents must still be identical.
 */
const VLAN_NAMED = ['zeek__http-qinq-0.pcap', 'zeek__vlan-qinqinq.pcap', 'nDPI__smtp-starttls.pcap'].map((f) => path.join(CORPUS_FILES, f));
// Not compared: suricata-verify__tcp-overlap2 and zeek__reassembly hold overlapping segments
// with different bytes; tcpflow keeps the last written, we keep the first arrived (the policy
// of most stacks and Wireshark's default) and report tcp_overlap_conflict — see
// test/unit/flow/reassembly.test.ts.

/**
 * Where tcpflow is wrong: it writes the Ethernet padding of short FIN segments as stream data
 * (2 bytes per direction here; tshark's tcp.len for those segments is 0, and so is ours).
 * Our file must be tcpflow's minus those trailing bytes.
 */
const TCPFLOW_WRITES_PADDING = [path.join(CORPUS_FILES, 'zeek__206_example_b.pcap')];

function tcpflowDump(file: string): string {
  const dir = mkdtempSync(path.join(work, 'tcpflow-'));
  execFileSync('tcpflow', ['-r', file, '-o', dir], { stdio: 'ignore' });
  return dir;
}

async function ourDump(file: string): Promise<string> {
  const dir = mkdtempSync(path.join(work, 'ours-'));
  await scanCapture(file, { dumpDir: dir });
  return dir;
}

function files(dir: string, stripVlan = false): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const n of readdirSync(dir)
    .filter((x) => !x.endsWith('.xml'))
    .sort())
    out.set(stripVlan ? n.replace(/--\d+$/, '') : n, readFileSync(path.join(dir, n)));
  return out;
}

describe.skipIf(!HAVE_TCPFLOW)('reassembled streams equal tcpflow 1.6 on the shared real captures', () => {
  it('has tcpflow (installed by .ci/run)', () => {
    expect(HAVE_TCPFLOW).toBe(true);
  });

  it.each(IDENTICAL.map((f) => [path.basename(f), f]))('%s: byte-identical files', async (_name, file) => {
    const theirs = files(tcpflowDump(file));
    const ours = files(await ourDump(file));
    expect([...ours.keys()]).toEqual([...theirs.keys()]);
    for (const [name, bytes] of theirs) expect(ours.get(name)!.equals(bytes), name).toBe(true);
  });

  it.each(VLAN_NAMED.map((f) => [path.basename(f), f]))('%s: identical contents (tcpflow adds a --vlan suffix to names)', async (_name, file) => {
    const theirs = files(tcpflowDump(file), true);
    const ours = files(await ourDump(file));
    expect([...ours.keys()]).toEqual([...theirs.keys()]);
    for (const [name, bytes] of theirs) expect(ours.get(name)!.equals(bytes), name).toBe(true);
  });

  it.each(TCPFLOW_WRITES_PADDING.map((f) => [path.basename(f), f]))(
    "%s: ours is tcpflow's without the Ethernet padding it wrote as data",
    async (_name, file) => {
      const theirs = files(tcpflowDump(file));
      const ours = files(await ourDump(file));
      expect([...ours.keys()]).toEqual([...theirs.keys()]);
      for (const [name, bytes] of theirs) {
        const mine = ours.get(name)!;
        expect(bytes.subarray(0, mine.length).equals(mine), name).toBe(true);
        // 2 bytes of padding on the client's FIN, 6 on the server's (60-byte minimum frames)
        expect(bytes.length - mine.length, name).toBeGreaterThan(0);
        expect(bytes.length - mine.length, name).toBeLessThanOrEqual(6);
      }
    },
  );
});

describe.runIf(!HAVE_TCPFLOW)('tcpflow missing', () => {
  it('is reported, not silently passed', () => {
    console.warn('tcpflow is not installed: the tcpflow comparison did not run (apt-get install tcpflow)');
    expect(HAVE_TCPFLOW).toBe(false);
  });
});
