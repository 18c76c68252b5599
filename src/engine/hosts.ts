/**
 * Per-host aggregation: joins observations, what inspection found in their requests
 * (findings.ts) and closed flows of one or more captures into one record per remote host
 * (server name, HTTP Host or DNS name; the address when there is no name), with the vendor
 * signatures it matched and the personal data sent to it. It aggregates only: the findings
 * are made before they reach it.
 */
import type { Limits } from '../limits.js';
import { isIpLiteral, normaliseHost } from '../hostname.js';
import type { FlowInfo } from '../flow/table.js';
import type { DnsMessage } from '../proto/dns.js';
import type { SignatureHit } from '../signatures/db.js';
import type { LeakFinding, LeakKind } from '../leaks/detect.js';
import { formatTimestamp } from '../capture/frame.js';
import type { FlowSummaryExtra } from '../analyzers/analyzer.js';
import type { Observation, ObservationBase, PushObservation } from './observations.js';
import type { RequestFindings } from './findings.js';
import { resolveWindows, timestampUs, tsUs, windowsAt, type ExperimentWindow, type ResolvedWindow } from './windows.js';

/** distinct evidence chains kept once (HostAggregator.chains) */
const CHAINS_INTERNED = 4096;

export interface LeakEvidence {
  file: string;
  sha256?: string;
  frame: number;
  /** when the request carrying it was complete (its last frame's timestamp) */
  time: string;
  stream: number;
  /** how the value was reached: `uri query:data → base64 → json $.imei` */
  chain: string;
  /** for analyst-supplied identifiers: the form it was found in (plain, md5, upper, …) */
  form?: string;
  /** labels of the experiment windows (--window) the request falls in; only when windows were given */
  windows?: string[];
  /** the app that sent it (PCAPdroid captures) */
  app?: string;
}

export interface HostLeak {
  kind: string;
  value: string;
  count: number;
  evidence: LeakEvidence[];
  /** present when every finding of the value was probable, not certain: why (leaks/detect.ts LeakFinding.probable) */
  probable?: string;
  /** labels of the experiment windows any finding of this value fell in (evidence past the cap included); only when windows were given */
  windows?: string[];
}

export interface HostServer {
  ip: string;
  country: string | null;
  city: string | null;
  asn: number | null;
  org: string | null;
  special?: string | null;
  /** the city's (else the country's) coordinates in the geolocation database, when it has them */
  latitude?: number;
  longitude?: number;
  /** true when no traffic to the address was seen: it comes from a DNS answer for the name */
  dns_only?: boolean;
}

export interface HostRecord {
  type: 'host';
  host: string;
  /** first matching vendor (the most specific signature) */
  vendor: string | null;
  category: string | null;
  signature: string | null;
  /** every vendor and signature that matched (a host can be both Xiaomi and Sensors Data) */
  vendors: string[];
  signatures: string[];
  /** whether any matching signature is an alerting one (broad vendor suffixes only label) */
  alert: boolean;
  /**
   * vendors whose SDK traces (e.g. a Sensors Data cookie) requests to this host carried, when
   * nothing says the host itself is the vendor's: a first-party site using the vendor's SDK
   */
  sdk_vendors: string[];
  /** how the name was seen: sni, quic, http, dns, cert, address */
  seen_as: string[];
  /** apps that talked to it, as a PCAPdroid capture's trailers name them (empty without trailers) */
  apps: string[];
  transport: string[];
  flows: number;
  bytes_out: number;
  bytes_in: number;
  /** application bytes of encrypted connections that were decrypted with the keys given (and read) */
  decrypted_bytes: number;
  /** application bytes leakscope could not look into, and why: `tls_encrypted`/`quic_encrypted` (no keys given), `no_key` (keys given, none for these connections), `decrypt_failed` (keys that did not open them), `not_parsed`, `unrecognised_protocol` */
  opaque_bytes: number;
  opaque_reasons: string[];
  first_seen: string | null;
  last_seen: string | null;
  servers: HostServer[];
  leaks: HostLeak[];
  /** findings of new values not kept, per kind, once a kind held maxLeakValuesPerKind values */
  leaks_dropped: Record<string, number>;
  captures: string[];
}

interface HostState {
  name: string;
  hits: Map<string, SignatureHit>;
  seenAs: Set<string>;
  apps: Set<string>;
  transport: Set<string>;
  flows: number;
  bytesOut: number;
  bytesIn: number;
  decrypted: number;
  opaque: number;
  opaqueReasons: Set<string>;
  first: { sec: number; nsec: number } | null;
  last: { sec: number; nsec: number } | null;
  servers: Set<string>;
  /** addresses DNS answers gave for the name (used when no traffic to it was seen) */
  dnsServers: Set<string>;
  /** when the name was looked up (used when no traffic to it was seen) */
  dnsFirst: { sec: number; nsec: number } | null;
  dnsLast: { sec: number; nsec: number } | null;
  leaks: Map<string, HostLeak>;
  /** distinct values kept per kind, and findings dropped past maxLeakValuesPerKind */
  kindCounts: Map<string, number>;
  dropped: Map<string, number>;
  captures: Set<string>;
}

interface FlowState {
  host: string | null;
  transport: string | null;
}

export interface HostAggregatorOptions {
  limits: Limits;
  /** the signatures a host's name matches (asked once per host, when it is first seen) */
  hostSignatures(name: string): SignatureHit[];
  /** experiment windows findings are tagged with */
  windows?: readonly ExperimentWindow[];
}

/** What came with an observation: the findings in its HTTP request, the DNS message it reports. */
export interface AggregateDetail {
  findings?: RequestFindings;
  dns?: DnsMessage;
}

/** Code-unit order: the same on every machine and locale (byte-identical output). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `2020-05-01T10:00:00.000360Z` (formatTimestamp's text) → seconds and nanoseconds. */
function isoTime(ts: string): { sec: number; nsec: number } | null {
  const ms = Date.parse(ts.slice(0, 19) + 'Z');
  if (Number.isNaN(ms)) return null;
  const frac = /^\.(\d{1,9})/.exec(ts.slice(19));
  return { sec: ms / 1000, nsec: frac ? Number(frac[1].padEnd(9, '0')) : 0 };
}

function tsBefore(aSec: number, aNsec: number, bSec: number, bNsec: number): boolean {
  return aSec < bSec || (aSec === bSec && aNsec < bNsec);
}

export class HostAggregator {
  private readonly hosts = new Map<string, HostState>();
  /** per capture: `tcp:3` → what the flow's observations said */
  private flows = new Map<string, FlowState>();
  /** address → names it was given in DNS answers (latest first) */
  private readonly addressNames = new Map<string, string>();
  /** addresses whose latest name came from an HTTPDNS answer (seen_as `httpdns` for flows they name) */
  private readonly httpDnsAddresses = new Set<string>();
  private file = '';
  private sha256: string | undefined;
  /** the experiment windows for the current capture (offsets resolved at its first packet) */
  private windows: ResolvedWindow[] = [];

  /**
   * Evidence chains, one copy each: thousands of findings share a few dozen chains (`tls1.3 → h2
   * stream 1 → body form:data → base64 → json $.url`), each built by concatenation, and every
   * kept piece of evidence held its own copy (~3.6 MB of them at 800 MB of keyed capture).
   * Bounded: past CHAINS_INTERNED distinct chains (JSON paths with indices) new ones are kept as built.
   */
  private readonly chains = new Map<string, string>();

  constructor(private readonly opts: HostAggregatorOptions) {}

  /** flows of the current capture with state kept for their observations (closed flows have none) */
  get flowsTracked(): number {
    return this.flows.size;
  }

  private chainOf(chain: string): string {
    const known = this.chains.get(chain);
    if (known !== undefined) return known;
    if (this.chains.size < CHAINS_INTERNED) this.chains.set(chain, chain);
    return chain;
  }

  /** Starts a new capture: flow ids restart, names learnt from DNS carry over. */
  beginCapture(file: string): void {
    this.file = file;
    this.sha256 = undefined;
    this.flows = new Map();
    // until the first packet is seen only absolute bounds are meaningful
    this.windows = resolveWindows(this.opts.windows ?? [], Number.NaN);
  }

  /** The current capture's first packet: offsets in --window count from it. */
  captureStarted(tsSec: number, tsNsec: number): void {
    this.windows = resolveWindows(this.opts.windows ?? [], tsUs(tsSec, tsNsec));
  }

  /** The capture's hash is known only at its end; evidence recorded for it gets it then. */
  endCapture(sha256: string): void {
    this.sha256 = sha256;
    for (const h of this.hosts.values()) {
      for (const leak of h.leaks.values()) for (const ev of leak.evidence) if (ev.file === this.file && !ev.sha256) ev.sha256 = sha256;
    }
  }

  private host(name: string): HostState {
    let h = this.hosts.get(name);
    if (!h) {
      h = {
        name,
        hits: new Map(),
        seenAs: new Set(),
        apps: new Set(),
        transport: new Set(),
        flows: 0,
        bytesOut: 0,
        bytesIn: 0,
        decrypted: 0,
        opaque: 0,
        opaqueReasons: new Set(),
        first: null,
        last: null,
        servers: new Set(),
        dnsServers: new Set(),
        dnsFirst: null,
        dnsLast: null,
        leaks: new Map(),
        kindCounts: new Map(),
        dropped: new Map(),
        captures: new Set(),
      };
      for (const hit of this.opts.hostSignatures(name)) h.hits.set(hit.signature.id, hit);
      this.hosts.set(name, h);
    }
    h.captures.add(this.file);
    return h;
  }

  private flowState(key: string): FlowState {
    let f = this.flows.get(key);
    if (!f) this.flows.set(key, (f = { host: null, transport: null }));
    return f;
  }

  observe(obs: Observation, detail?: AggregateDetail): void {
    switch (obs.type) {
      case 'tls':
      case 'quic': {
        const f = this.flowState(`${obs.type === 'quic' ? 'udp' : 'tcp'}:${obs.stream}`);
        f.transport ??= obs.type === 'quic' ? 'quic' : 'tls';
        const names = obs.server_names.length ? obs.server_names : [];
        for (const n of names) {
          const h = this.host(normaliseHost(n));
          h.seenAs.add(obs.type === 'quic' ? 'quic' : 'sni');
          if (obs.app !== undefined) h.apps.add(obs.app);
          h.servers.add(obs.dst);
        }
        if (names.length && !f.host) f.host = normaliseHost(names[0]);
        break;
      }
      case 'tls_server': {
        const f = this.flowState(`tcp:${obs.stream}`);
        if (obs.version) f.transport = `tls${obs.version}`;
        break;
      }
      case 'tls_certificate': {
        // only names of hosts already seen: a certificate's SAN list can name hundreds of others
        for (const n of obs.names) {
          const h = this.hosts.get(normaliseHost(n));
          if (h) h.seenAs.add('cert');
        }
        break;
      }
      case 'http': {
        // a request decrypted from QUIC travelled on a UDP flow (the ids of TCP and UDP flows are counted apart)
        const f = this.flowState(`${obs.carrier === 'quic' ? 'udp' : 'tcp'}:${obs.stream}`);
        f.transport = f.transport ?? 'http';
        // the Host header names the server; when it is absent or a bare address, an absolute
        // request-target (`GET http://name/…`) may name it instead
        const hostHeader = obs.host ? normaliseHost(obs.host) : null;
        const uriName = hostHeader === null || isIpLiteral(hostHeader) ? absoluteUriHost(obs.uri) : null;
        const name = uriName ?? hostHeader ?? obs.dst;
        f.host ??= name;
        const h = this.host(name);
        h.seenAs.add(uriName ? 'uri' : hostHeader ? 'http' : 'address');
        if (obs.app !== undefined) h.apps.add(obs.app);
        h.servers.add(obs.dst);
        if (detail?.findings) this.addFindings(h, obs, detail.findings, carriedBy(obs, f.transport));
        break;
      }
      case 'dns': {
        if (!obs.qname) break;
        const qname = normaliseHost(obs.qname);
        const h = this.host(qname);
        const via = obs.transport === 'httpdns' ? 'httpdns' : 'dns';
        h.seenAs.add(via);
        if (obs.app !== undefined) h.apps.add(obs.app);
        h.transport.add(via);
        const t = isoTime(obs.ts);
        if (t && (!h.dnsFirst || tsBefore(t.sec, t.nsec, h.dnsFirst.sec, h.dnsFirst.nsec))) h.dnsFirst = t;
        if (t && (!h.dnsLast || tsBefore(h.dnsLast.sec, h.dnsLast.nsec, t.sec, t.nsec))) h.dnsLast = t;
        if (detail?.dns) this.learnAddresses(detail.dns);
        else if (via === 'httpdns') {
          // an HTTPDNS answer names the addresses it gives: later flows to them are this name's
          for (const a of obs.answers) {
            this.addressNames.set(a, qname);
            this.httpDnsAddresses.add(a);
            h.dnsServers.add(a);
          }
        }
        // CNAME targets are names of the same service (e.g. a vendor's GSLB) and match too
        for (const c of obs.cnames) {
          const target = this.host(normaliseHost(c));
          target.seenAs.add('dns');
        }
        break;
      }
      case 'push':
        this.observePush(obs);
        break;
      case 'http_response':
        break;
    }
  }

  /**
   * A MiPush handshake: the flow is named by the push server it names (its `host`, else the
   * service it addresses: the XMPP stream's `to`) when nothing else named it, and what the
   * handshake says about the device is leaked to that host.
   */
  private observePush(obs: PushObservation): void {
    const f = this.flowState(`tcp:${obs.stream}`);
    f.transport ??= 'mipush';
    const hostName = obs.host ? normaliseHost(obs.host) : null;
    const named = hostName && !isIpLiteral(hostName) ? hostName : obs.server ? normaliseHost(obs.server) : null;
    const name = f.host ?? named ?? obs.dst;
    if (f.host === null && named !== null) f.host = named;
    const h = this.host(name);
    if (name === named) h.seenAs.add(obs.form === 'xmpp' ? 'xmpp' : 'push');
    h.servers.add(obs.dst);
    if (obs.app !== undefined) h.apps.add(obs.app);
    const at = `mipush ${obs.form === 'xmpp' ? 'stream' : obs.cmd}`;
    const leaks: [LeakKind, string | null, string][] = [
      ['device_model', obs.model, 'model'],
      ['os_version', obs.os, 'os'],
      ['device_id', obs.udid, obs.form === 'xmpp' ? 'uid' : 'udid'],
      ['network', obs.connpt, 'connpt'],
      ['locale', obs.locale, 'locale'],
    ];
    const labels = this.windowLabels(obs);
    for (const [kind, value, key] of leaks) {
      if (value) this.addLeak(h, { kind, value, chain: `${at} ${key}`, key }, obs, labels);
    }
  }

  /**
   * Remembers which name each answered address belongs to, so flows with no name of their own
   * are labelled. Only answer-section records on the question's CNAME chain count: glue in the
   * additional section names other hosts.
   */
  private learnAddresses(msg: DnsMessage): void {
    const q = msg.questions[0];
    if (!q) return;
    const qname = normaliseHost(q.name);
    const chain = new Set([qname]);
    for (const rr of msg.answers) if (rr.type === 5 && chain.has(normaliseHost(rr.name))) chain.add(normaliseHost(rr.data));
    for (const rr of msg.answers) {
      if ((rr.type === 1 || rr.type === 28) && chain.has(normaliseHost(rr.name))) {
        this.addressNames.set(rr.data, qname);
        this.httpDnsAddresses.delete(rr.data);
        this.hosts.get(qname)?.dnsServers.add(rr.data);
      }
    }
  }

  /** `via`: how the request travelled before its own layers (`tls1.3 → h2 stream 5`), prefixed to every finding's chain; '' in clear HTTP/1 */
  private addFindings(h: HostState, obs: Observation & { type: 'http' }, findings: RequestFindings, via: string): void {
    for (const hit of findings.hits) if (!h.hits.has(hit.signature.id)) h.hits.set(hit.signature.id, hit);
    if (findings.leaks.length === 0) return;
    const labels = this.windowLabels(obs);
    for (const f of findings.leaks) this.addLeak(h, via === '' ? f : { ...f, chain: `${via} → ${f.chain}` }, obs, labels);
  }

  /** the experiment windows an observation falls in; null when no windows were given */
  private windowLabels(obs: ObservationBase): string[] | null {
    return this.opts.windows?.length ? windowsAt(this.windows, timestampUs(obs.ts)) : null;
  }

  private addLeak(h: HostState, f: LeakFinding, obs: ObservationBase, labels: string[] | null): void {
    const key = `${f.kind}\u0000${f.value}`;
    let leak = h.leaks.get(key);
    if (!leak) {
      // a cap per kind keeps memory bounded (a browser history can hold millions of URLs);
      // what is dropped is counted and reported, never lost silently
      const kept = h.kindCounts.get(f.kind) ?? 0;
      if (kept >= this.opts.limits.maxLeakValuesPerKind) {
        h.dropped.set(f.kind, (h.dropped.get(f.kind) ?? 0) + 1);
        return;
      }
      h.kindCounts.set(f.kind, kept + 1);
      h.leaks.set(key, (leak = { kind: f.kind, value: f.value, count: 0, evidence: [] }));
      if (f.probable) leak.probable = f.probable;
      if (labels) leak.windows = [];
    } else if (!f.probable && leak.probable) delete leak.probable; // one certain finding makes the value certain
    leak.count++;
    if (labels && leak.windows) for (const l of labels) if (!leak.windows.includes(l)) leak.windows.push(l);
    if (leak.evidence.length < this.opts.limits.maxEvidencePerValue) {
      const ev: LeakEvidence = { file: this.file, frame: obs.frame, time: obs.ts, stream: obs.stream, chain: this.chainOf(f.chain) };
      if (this.sha256) ev.sha256 = this.sha256;
      if (f.form && f.form !== 'plain') ev.form = f.form;
      if (labels) ev.windows = labels;
      if (obs.app !== undefined) ev.app = obs.app;
      leak.evidence.push(ev);
    }
  }

  flowClosed(flow: FlowInfo, extra: FlowSummaryExtra): void {
    const key = `${flow.proto}:${flow.id}`;
    const f = this.flows.get(key);
    // its observations all came before its close: what was kept for them goes with it (a
    // capture of a million connections kept a million of these)
    this.flows.delete(key);
    // DNS traffic is accounted to the names it asked about, not to the resolver
    if (extra.protocol === 'dns') return;
    // a flow without a name of its own is labelled by an earlier DNS answer, else its address
    const named = f?.host ?? null;
    const learnt = named ? undefined : this.addressNames.get(flow.server);
    const h = this.host(named ?? learnt ?? flow.server);
    const seenAs = named ? null : learnt ? (this.httpDnsAddresses.has(flow.server) ? 'httpdns' : 'dns') : 'address';
    if (seenAs) h.seenAs.add(seenAs);
    h.flows++;
    if (flow.app !== null) h.apps.add(flow.app);
    h.bytesOut += flow.bytesToServer;
    h.bytesIn += flow.bytesToClient;
    h.servers.add(flow.server);
    const transport = f?.transport ?? (extra.protocol === 'quic' ? 'quic' : extra.protocol === 'http' ? 'http' : extra.protocol === 'tls' ? 'tls' : null);
    if (transport) h.transport.add(transport);
    else h.transport.add(flow.proto);
    h.decrypted += extra.decryptedBytes ?? 0;
    if (extra.opaqueBytes > 0) {
      h.opaque += extra.opaqueBytes;
      if (extra.opaqueReason) h.opaqueReasons.add(extra.opaqueReason);
    }
    if (!h.first || tsBefore(flow.firstSec, flow.firstNsec, h.first.sec, h.first.nsec)) h.first = { sec: flow.firstSec, nsec: flow.firstNsec };
    if (!h.last || tsBefore(h.last.sec, h.last.nsec, flow.lastSec, flow.lastNsec)) h.last = { sec: flow.lastSec, nsec: flow.lastNsec };
  }

  /**
   * The host records, most specific vendor first, then by name. `allHosts` includes hosts no
   * signature matched; `vendor` keeps only hosts of that vendor (case-insensitive).
   */
  records(opts: { allHosts?: boolean; vendor?: string; geo?: (ip: string) => HostServer } = {}): HostRecord[] {
    const out: HostRecord[] = [];
    for (const h of this.hosts.values()) {
      const allHits = [...h.hits.values()];
      // a host is the vendor's by its name or its collector-shaped traffic, not by an SDK's cookie
      const hits = allHits.filter((x) => x.endpoint);
      const sdkVendors = [...new Set(allHits.filter((x) => !x.endpoint).map((x) => x.signature.vendor))].filter(
        (v) => !hits.some((x) => x.signature.vendor === v),
      );
      // a name seen only in DNS: its servers and times are the DNS answers'
      const dnsOnly = h.servers.size === 0 && h.first === null;
      const first = h.first ?? (dnsOnly ? h.dnsFirst : null);
      const last = h.last ?? (dnsOnly ? h.dnsLast : null);
      const serverIps = dnsOnly ? h.dnsServers : h.servers;
      if (!opts.allHosts && hits.length === 0) continue;
      const vendors = [...new Set(hits.map((x) => x.signature.vendor))];
      if (opts.vendor && !vendors.some((v) => v.toLowerCase() === opts.vendor!.toLowerCase())) continue;
      const primary = hits.find((x) => x.signature.alert) ?? hits[0];
      const leaks = [...h.leaks.values()].sort((a, b) => compare(a.kind, b.kind) || compare(a.value, b.value));
      out.push({
        type: 'host',
        host: h.name,
        vendor: primary?.signature.vendor ?? null,
        category: primary?.signature.category ?? null,
        signature: primary?.signature.id ?? null,
        vendors,
        signatures: hits.map((x) => x.signature.id),
        alert: hits.some((x) => x.signature.alert),
        sdk_vendors: sdkVendors.sort(),
        seen_as: [...h.seenAs].sort(),
        apps: [...h.apps].sort(),
        transport: [...h.transport].sort(),
        flows: h.flows,
        bytes_out: h.bytesOut,
        bytes_in: h.bytesIn,
        decrypted_bytes: h.decrypted,
        opaque_bytes: h.opaque,
        opaque_reasons: [...h.opaqueReasons].sort(),
        first_seen: first ? formatTimestamp(first.sec, first.nsec) : null,
        last_seen: last ? formatTimestamp(last.sec, last.nsec) : null,
        servers: [...serverIps].sort().map((ip) => {
          const server: HostServer = opts.geo ? opts.geo(ip) : { ip, country: null, city: null, asn: null, org: null };
          return dnsOnly ? { ...server, dns_only: true } : server;
        }),
        leaks,
        leaks_dropped: Object.fromEntries([...h.dropped].sort((a, b) => compare(a[0], b[0]))),
        captures: [...h.captures].sort(),
      });
    }
    const vendorRank = (r: HostRecord) => (r.vendor === null ? 2 : r.alert ? 0 : 1);
    return out.sort((a, b) => vendorRank(a) - vendorRank(b) || compare(a.vendor ?? '', b.vendor ?? '') || compare(a.host, b.host));
  }
}

/** The host name of an absolute-form request-target (`http://name[:port]/…`), null when none or an address. */
function absoluteUriHost(uri: string): string | null {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^/?#@]*@)?(\[[^\]]*\]|[^/?#:]+)/i.exec(uri);
  if (!m) return null;
  const host = normaliseHost(m[1]!);
  return host && !isIpLiteral(host) ? host : null;
}

/**
 * The layers a request crossed before its own, for evidence chains: the encryption it was read
 * from (`tls1.3`: the record's tls_version, else the connection's ServerHello; or the carrier's
 * name) and the HTTP/2 or HTTP/3 stream: `tls1.3 → h2 stream 5`, `quic → h3 stream 0`,
 * `h2 stream 1` (cleartext HTTP/2), `tls1.2` (HTTP/1.1 inside TLS).
 */
function carriedBy(obs: Observation & { type: 'http' }, transport: string | null): string {
  const parts: string[] = [];
  if (obs.carrier === 'tls') parts.push(obs.tls_version ? `tls${obs.tls_version}` : transport !== null && transport.startsWith('tls') ? transport : 'tls');
  else if (obs.carrier !== undefined) parts.push(obs.carrier);
  if (obs.http_version === '2' || obs.http_version === '3') parts.push(`h${obs.http_version}${obs.stream_id !== undefined ? ` stream ${obs.stream_id}` : ''}`);
  return parts.join(' → ');
}
