/**
 * HTTPDNS: name lookups apps make over plain HTTP instead of DNS, so the DNS view misses them.
 * Two public services are recognised by the request's shape (any server address, though they
 * answer at 203.107.1.x and 119.29.29.x):
 *
 * - Alibaba Cloud HTTPDNS (EMAS): `GET /<account id>/d?host=<name>[,<name>…][&ip=…][&query=4,6]`,
 *   and the signed form `/<account id>/sign_d?host=<name>&t=<expiry>&s=<signature>`. Answer:
 *   JSON `{"host":"<name>","ips":["a.b.c.d"],"ipsv6":["…"],"ttl":60}`, or for several names
 *   `{"dns":[{"host":…,"ips":[…],"type":1,"ttl":…},…]}`.
 * - Tencent Cloud HTTPDNS (DNSPod D+): `GET /d?dn=<name>[,<name>…][&ttl=1][&type=AAAA|addrs]`.
 *   Answer: text `a.b.c.d;e.f.g.h[,ttl]` (one line per name for several), or JSON with
 *   `{"<name>":{"ips":[…]}}`-like objects in its JSON mode. With `id=` the name is
 *   encrypted (DES/AES, key per account): such a query is reported without a name.
 */

export interface HttpDnsQuery {
  service: 'alibaba' | 'tencent';
  /** names asked for, lowercase (empty when encrypted) */
  names: string[];
  encrypted: boolean;
}

export interface HttpDnsAnswer {
  name: string;
  addresses: string[];
  ttl: number | null;
}

const ALIBABA_PATH = /^\/\d{3,12}\/(?:sign_)?d$/;
const TENCENT_PATH = /^\/d$/;
const NAME_RE = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)+\.?$/i;
const IPV4_RE = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/;
const IPV6_RE = /^[0-9a-f:]*:[0-9a-f:.]*$/i;

function params(query: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of query.split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const k = part.slice(0, eq);
    let v = part.slice(eq + 1);
    try {
      v = decodeURIComponent(v.replace(/\+/g, ' '));
    } catch {
      // a malformed escape: the raw text
    }
    if (!out.has(k)) out.set(k, v);
  }
  return out;
}

function names(list: string | undefined): string[] {
  if (!list) return [];
  return list
    .split(',')
    .map((n) => n.trim().toLowerCase().replace(/\.$/, ''))
    .filter((n) => NAME_RE.test(n));
}

/** The HTTPDNS query a GET request-target makes, or null when it is not one. */
export function parseHttpDnsQuery(method: string, uri: string): HttpDnsQuery | null {
  if (method !== 'GET') return null;
  // an absolute-form target (to a proxy) carries the same path
  const target = uri.replace(/^https?:\/\/[^/]+/i, '');
  const q = target.indexOf('?');
  if (q < 0) return null;
  const path = target.slice(0, q);
  const p = params(target.slice(q + 1));
  if (ALIBABA_PATH.test(path) && p.has('host')) {
    const n = names(p.get('host'));
    return n.length ? { service: 'alibaba', names: n, encrypted: false } : null;
  }
  if (TENCENT_PATH.test(path) && p.has('dn')) {
    if (p.has('id')) return { service: 'tencent', names: [], encrypted: true };
    const n = names(p.get('dn'));
    return n.length ? { service: 'tencent', names: n, encrypted: false } : null;
  }
  return null;
}

function addresses(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  return v.filter((x): x is string => typeof x === 'string' && (IPV4_RE.test(x) || IPV6_RE.test(x)));
}

/** The answers of an HTTPDNS response body (JSON or Tencent's text) to `query`. */
export function parseHttpDnsAnswer(query: HttpDnsQuery, body: string): HttpDnsAnswer[] {
  const text = body.trim();
  if (!text) return [];
  if (text.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return [];
    }
    if (json === null || typeof json !== 'object') return [];
    const o = json as Record<string, unknown>;
    const one = (r: Record<string, unknown>, fallback: string | undefined): HttpDnsAnswer | null => {
      const name = typeof r.host === 'string' ? r.host.toLowerCase() : fallback;
      if (!name) return null;
      const ttl = typeof r.ttl === 'number' ? r.ttl : null;
      return { name, addresses: [...addresses(r.ips), ...addresses(r.ipsv6)], ttl };
    };
    if (Array.isArray(o.dns)) {
      return o.dns
        .flatMap((r) => (r && typeof r === 'object' ? [one(r as Record<string, unknown>, undefined)] : []))
        .filter((a): a is HttpDnsAnswer => a !== null);
    }
    if ('ips' in o || 'ipsv6' in o) {
      const a = one(o, query.names[0]);
      return a ? [a] : [];
    }
    // name-keyed objects ({"<name>": {"ips": […]}})
    const out: HttpDnsAnswer[] = [];
    for (const n of query.names) {
      const r = o[n];
      if (r && typeof r === 'object') {
        const a = one(r as Record<string, unknown>, n);
        if (a) out.push({ ...a, name: n });
      }
    }
    return out;
  }
  // Tencent text: one line per asked name, `ip;ip[,ttl]`
  if (query.encrypted) return [];
  const lines = text.split(/\r?\n/);
  const out: HttpDnsAnswer[] = [];
  lines.forEach((line, i) => {
    const name = query.names[i];
    if (!name) return;
    const [ips, ttl] = line.split(',');
    const list = (ips ?? '')
      .split(';')
      .map((s) => s.trim())
      .filter((s) => IPV4_RE.test(s) || IPV6_RE.test(s));
    if (list.length || line.trim() === '0') out.push({ name, addresses: list, ttl: ttl && /^\d+$/.test(ttl) ? Number(ttl) : null });
  });
  return out;
}
