/**
 * Turns a public blocklist into a signature pack, so users can bring the lists leakscope does
 * not bundle (GPL/LGPL hosts lists, AdGuard filters). Understood lines:
 * - hosts files: `0.0.0.0 host [host…]`, `127.0.0.1 host`, `::1 host` → exact hosts
 * - AdGuard / Adblock Plus: `||domain^` (modifiers after `$` ignored) → the domain and its subdomains
 * - plain domain lists: `domain` → exact host
 * Comments (`#`, `!`), exception rules (`@@`), cosmetic and path rules are skipped.
 */
import type { Signature, SignaturePack } from './schema.js';

const DOMAIN_RE = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)+$/;
const SINK_ADDRESSES = new Set(['0.0.0.0', '127.0.0.1', '::1', '::', '0:0:0:0:0:0:0:0', '::0']);
/** names every hosts file carries for the machine itself */
const LOCAL_NAMES = new Set(['localhost', 'localhost.localdomain', 'local', 'broadcasthost', 'ip6-localhost', 'ip6-loopback', '0.0.0.0']);

function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'list'
  );
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export function importBlocklist(text: string, opts: { vendor: string; category: string; name: string; added?: string }): SignaturePack {
  const exact = new Set<string>();
  const suffixes = new Set<string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('!') || line.startsWith('@@') || line.startsWith('[')) continue;
    if (line.startsWith('||')) {
      const end = line.indexOf('^');
      if (end < 0) continue;
      const domain = line.slice(2, end).toLowerCase();
      // `||domain^` only; `||domain/path^` or wildcards name no single domain
      if (DOMAIN_RE.test(domain)) suffixes.add(domain);
      continue;
    }
    const fields = line.replace(/\s+#.*$/, '').split(/\s+/);
    if (fields.length >= 2 && SINK_ADDRESSES.has(fields[0])) {
      for (const f of fields.slice(1)) {
        const host = f.toLowerCase().replace(/\.$/, '');
        if (!LOCAL_NAMES.has(host) && DOMAIN_RE.test(host)) exact.add(host);
      }
      continue;
    }
    if (fields.length === 1) {
      const host = fields[0].toLowerCase().replace(/\.$/, '');
      if (DOMAIN_RE.test(host) && !LOCAL_NAMES.has(host)) exact.add(host);
    }
  }
  const added = opts.added ?? today();
  const prefix = slug(opts.name);
  const signatures: Signature[] = [];
  const make = (kind: 'host' | 'suffix', domain: string): Signature => ({
    id: `${prefix}/${domain}`,
    vendor: opts.vendor,
    product: opts.name,
    category: opts.category,
    match: kind === 'host' ? { host: [domain] } : { suffix: [domain] },
    alert: true,
    confidence: 'imprecise',
    description: `listed in ${opts.name}`,
    references: [opts.name],
    added,
  });
  for (const d of [...suffixes].sort()) signatures.push(make('suffix', d));
  for (const d of [...exact].sort()) if (!suffixes.has(d)) signatures.push(make('host', d));
  return { name: opts.name, version: added, description: `imported from ${opts.name} (${signatures.length} entries)`, signatures };
}
