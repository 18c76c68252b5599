/**
 * `--redact`: a report that can be shared without the personal data in it. Each leaked value
 * becomes `redacted:` + the first 16 hex digits of SHA-256(salt + value), so equal values stay
 * equal (and comparable across reports made with the same salt) but cannot be read back.
 */
import { createHash } from 'node:crypto';
import type { HostRecord } from './hosts.js';

export function redactValue(value: string, salt: string): string {
  return 'redacted:' + createHash('sha256').update(salt).update('\u0000').update(value).digest('hex').slice(0, 16);
}

export function redactHosts(hosts: HostRecord[], salt: string): HostRecord[] {
  return hosts.map((h) => ({ ...h, leaks: h.leaks.map((l) => ({ ...l, value: redactValue(l.value, salt) })) }));
}
