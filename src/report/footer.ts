import type { AnalyzeResult } from '../engine/analyze.js';
import { notDecodedLine } from '../engine/not-decoded.js';

/** One line: how many hosts, vendors, leaks. */
export function reportSummary(r: AnalyzeResult): string {
  const vendorHosts = r.hosts.filter((h) => h.vendor !== null);
  const leakHosts = r.hosts.filter((h) => h.leaks.length > 0);
  const values = r.hosts.reduce((n, h) => n + h.leaks.length, 0);
  const plaintext = leakHosts.filter((h) => h.transport.includes('http')).length;
  const packets = r.header.captures.reduce((n, c) => n + c.packets, 0);
  return (
    `${r.header.captures.length} capture(s), ${packets} packets: ${vendorHosts.length} vendor host(s), ` +
    `${leakHosts.length} with personal data (${values} distinct values, ${plaintext} host(s) in plaintext)`
  );
}

/**
 * One line per capture that was not read whole (damaged, interrupted, not a capture): the
 * report itself says so, whatever --quiet hides on stderr.
 */
export function captureStatusLines(r: AnalyzeResult): string[] {
  const lines: string[] = [];
  for (const c of r.header.captures) {
    if (c.status === 'ok') continue;
    if (c.status === 'error') lines.push(`error: ${c.message}`);
    if (c.interrupted) lines.push(`${c.file}: partial: ${c.message}`);
    if (c.damage) lines.push(`${c.file}: partial: damaged at byte ${c.damage.offset} after ${c.damage.frame} packets: expected ${c.damage.expected}`);
    for (const n of c.not_decoded ?? []) lines.push(`${c.file}: partial: ${notDecodedLine(n)}`);
  }
  return lines;
}

/** Data sources and the attribution their licences require (CC BY 4.0 for DB-IP). */
export function reportFooter(r: AnalyzeResult): string[] {
  const lines = [`signatures ${r.header.signatures.version}`];
  for (const s of r.header.geo) lines.push(`${s.kind === 'asn' ? 'ASN' : 'geolocation'}: ${s.attribution}`);
  // each key source, and what it opened of the run's TLS and QUIC connections
  for (const k of r.header.keys ?? []) {
    const where = k.capture !== null ? `${k.source} (${k.capture})` : `${k.source}${k.sha256 ? ` sha256 ${k.sha256}` : ''}`;
    const skipped = k.skipped_lines > 0 ? `, ${k.skipped_lines} malformed line(s) skipped` : '';
    lines.push(`keys: ${where}: opened ${k.opened} of ${k.connections} TLS/QUIC connection(s)${skipped}`);
  }
  return lines;
}
