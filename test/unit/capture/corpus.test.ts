/**
 * Frame counts of every real capture in ../shared against tshark 4.0.17's (the oracle files
 * written by ../shared/corpus/oracle/COMMANDS.md), and the damage we report for the files
 * known to be damaged.
 */
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCapture } from '../../../src/capture/reader.js';
import { AnomalyLog } from '../../../src/anomaly.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const shared = path.resolve(here, '../../..', '../shared');
const corpusDir = path.join(shared, 'corpus/files');
const capturesDir = path.join(shared, 'captures');

function cases(dir: string, oracleDir: string): Array<[string, string, number]> {
  return fs
    .readdirSync(oracleDir)
    .filter((f) => f.endsWith('.frames'))
    .map((f) => f.slice(0, -'.frames'.length))
    .filter((f) => fs.existsSync(path.join(dir, f)))
    .sort()
    .map((f) => [f, path.join(dir, f), Number(fs.readFileSync(path.join(oracleDir, `${f}.frames`), 'utf8').trim())]);
}

const all = [...cases(corpusDir, path.join(shared, 'corpus/oracle')), ...cases(capturesDir, path.join(capturesDir, 'oracle'))];

/** files where reading stops early, with where and why (tshark stops at the same place) */
const KNOWN_DAMAGE: Record<string, { offset: number; frame: number; code: string; expected: RegExp }> = {
  // 7 bytes after the only record: a cut record header
  'dpkt__truncated_dns_2.pcap': {
    offset: 240,
    frame: 1,
    code: 'pcap_record_truncated',
    expected: /^a 16-byte record header, found 7 bytes before end of file$/,
  },
  // pcap 2.0 with caplen/origlen swapped (Wireshark swaps them back), then 2 stray bytes
  'nDPI__fuzz-2021-10-13.pcap': { offset: 237, frame: 1, code: 'pcap_record_truncated', expected: /found 2 bytes before end of file/ },
  // second section is pcapng 2.0, which tshark refuses after the first packet
  'gopacket__le_test901.pcapng': { offset: 480, frame: 1, code: 'pcapng_version_unsupported', expected: /found 2\.0/ },
};

describe('frame counts agree with tshark', () => {
  it('finds the corpus', () => {
    expect(all.length).toBeGreaterThanOrEqual(80);
  });

  it.each(all)('%s', async (file, filePath, expectedFrames) => {
    const log = new AnomalyLog();
    let seen = 0;
    const summary = await readCapture(
      filePath,
      (f) => {
        seen++;
        expect(f.index).toBe(seen);
        expect(f.data.length).toBe(f.caplen);
        expect(f.tsNsec).toBeGreaterThanOrEqual(0);
        expect(f.tsNsec).toBeLessThan(1e9);
      },
      { anomalies: log },
    );
    expect(summary.frames).toBe(expectedFrames);
    expect(seen).toBe(expectedFrames);
    expect(summary.fileBytes).toBe(fs.statSync(filePath).size);
    const known = KNOWN_DAMAGE[file];
    if (known) {
      expect(summary.damage).not.toBeNull();
      expect(summary.damage!.offset).toBe(known.offset);
      expect(summary.damage!.frame).toBe(known.frame);
      expect(summary.damage!.expected).toMatch(known.expected);
      expect(log.counts.get(known.code as never)).toBe(1);
    } else {
      expect(summary.damage).toBeNull();
    }
  });
});
