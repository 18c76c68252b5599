/**
 * Builds the bundled packs (`signatures/xiaomi.json`, `signatures/sensorsdata.json`) from the
 * research table `../shared/research/endpoints.tsv`. The JSON output is committed; run this when
 * the research changes:
 *
 *   npx tsc -p . && node dist/test-support/build-packs.js [endpoints.tsv] [signatures/]
 *
 * Curated rows become one signature each; `[list-only, auto-categorised]` rows stay out (their
 * lists carry GPL/LGPL terms and their categories are guesses: users import those lists with
 * `importBlocklist`); TOO-BROAD rows and the bare vendor domains only label, never alert.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import type { Confidence, Signature, SignatureMatchSpec, SignaturePack } from '../src/signatures/schema.js';

/** Date of the research the packs are built from (endpoints.md); packs are versioned by it. */
export const RESEARCH_DATE = '2026-11-24';

type RegexField = 'regex' | 'url' | 'path' | 'body' | 'payload' | 'userAgent' | 'header' | 'cookie' | 'hostHeader';

/**
 * Names (and the request part each applies to) of the regex rows. Stable ids cannot be derived
 * from a regex, so each is named here; an unnamed regex row stops the build.
 */
const REGEX_ROWS: Record<string, [name: string, field: RegexField]> = {
  '^https?://tracking(\\.(intl|india|rus|eu))?\\.miui\\.com/track/(v1|v4|key_get|spock)(/|\\?|$)': ['onetrack.url', 'url'],
  '^https?://tracking\\.miui\\.com/tracks$': ['miui-analytics-legacy.url', 'url'],
  '(^|\\.)mistat\\.(intl\\.|india\\.|rus\\.)?xiaomi\\.com\\.(edgesuite\\.net|ksyna\\.net|download\\.ks-cdn\\.com)$': ['mistat.cdn-cname', 'regex'],
  '^https?://data\\.mistat\\.(intl\\.|india\\.|rus\\.|us\\.)?xiaomi\\.com/(mistats(/v[23])?|micrash|realtime_network|get_all_config|idservice/deviceid_get|getconfig)':
    ['mistat.url', 'url'],
  '^https?://dev\\.mi\\.com/mistats/xmstats/event/dynamic/upload': ['mistat.dynamic-upload.url', 'url'],
  '^[0-9]+-[a-z0-9]+\\.bigdata\\.(ctc|pub)\\.neo\\.xiaomi\\.com$': ['bigdata.nodes', 'regex'],
  '^(in|ex)tranet\\.[a-z0-9-]+\\.bigdata-l7-(trackservice|dp-lan)\\.[a-z0-9]+\\.elb\\.xiaomi\\.com$': ['bigdata.elb-cname', 'regex'],
  '^https?://app\\.miui\\.com/mobile/analytics2\\.json': ['miui-analytics.config.url', 'url'],
  '^https?://sa\\.api\\.intl\\.miui\\.com/sa(\\.gif)?\\?project=': ['browser.sensors-ingest.url', 'url'],
  '^https?://srv\\.sec(\\.intl)?\\.miui\\.com/securityCheck/urlCheck': ['security.url-check.url', 'url'],
  '^https?://api\\.ad\\.intl\\.xiaomi\\.com/getSplashScreenAds': ['ads.splash.url', 'url'],
  '^global-ad-[a-z0-9-]+\\.alb\\.xiaomi\\.com$': ['ads.alb-cname', 'regex'],
  '(^|\\.)ad\\.intl\\.xiaomi\\.com\\.(edgesuite\\.net|ksyna\\.net)$': ['ads.cdn-cname', 'regex'],
  '^https?://api\\.xmpush\\.xiaomi\\.com/upload/(crash_log|app_log|xmsf_log)\\?file=': ['push.log-upload.url', 'url'],
  '^http://[^/]*resolver\\.msg(\\.global)?\\.xiaomi\\.net/gslb/\\?ver=4\\.0.*[?&]uuid=': ['push.resolver-uuid.url', 'url'],
  '^(fr|idmb|ru)[-a-z0-9]*(app-chat|resolver-msg)[-a-z0-9]*\\.[a-z0-9-]+\\.elb\\.amazonaws\\.com$': ['push.aws-elb-cname', 'regex'],
  '^cc{1,3}2?\\.sys\\.(intl\\.)?(miui|xiaomi)\\.com$': ['cloud-control.hosts', 'regex'],
  '^jupiter\\.(intl\\.|rus\\.)?sys\\.miui\\.com$': ['cloud-config.jupiter', 'regex'],
  '^feedback\\.(d|pt|pt\\.intl|pt\\.rus)\\.xiaomi\\.com$': ['feedback.hosts', 'regex'],
  '^extranet\\.[a-z0-9-]+\\.(miui-l7-)?feedback\\.[a-z0-9]+\\.elb\\.xiaomi\\.com$': ['feedback.elb-cname', 'regex'],
  '^sentry\\.(be|pay|pt|sec)\\.(xiaomi|miui)\\.com$': ['crash.sentry', 'regex'],
  '^t[0-9]{1,2}\\.(a\\.)?market\\.xiaomi\\.com$': ['appstore.content-hosts', 'regex'],
  '^(tvstat|stat|gstat)\\.pandora\\.xiaomi\\.com$': ['tv.stat-hosts', 'regex'],
  '^/(sa|sa\\.gif)\\?(.*&)?project=[^&]+': ['shape.ingest-path', 'path'],
  '^/debug\\?(.*&)?project=': ['shape.debug-path', 'path'],
  '(^|[?&])data=(eyJ|W3si|H4sI)[A-Za-z0-9%+/=_-]*(&.*)?&ext=crc%3D-?[0-9]+': ['shape.js-beacon', 'body'],
  '(^|&)(crc=-?[0-9]+&)?gzip=[019]&data_list=(H4sI|W3si|eyJ)': ['shape.batch-body', 'body'],
  '(^|&)data_list=(W3si|H4sI)': ['shape.js-batch-body', 'body'],
  '(^|&)(crc=-?[0-9]+&)?gzip=9&data_list=%5B%7B%22ekey%22': ['shape.encrypted-batch-body', 'body'],
  '^/config/(Android|iOS|visualized/Web)\\.conf': ['shape.remote-config-path', 'path'],
  '^SensorsAnalytics (iOS|Node) SDK$': ['shape.sdk-user-agent', 'userAgent'],
  '^Dry-Run: true$': ['shape.dry-run-header', 'header'],
  '(sensorsdata2015jssdkcross|sensorsdata2015session|sajssdk_2015_cross_[a-z_]+|sa_jssdk_2015_[a-z_]+)=': ['shape.js-cookie', 'cookie'],
  '"\\$lib":"(js|Android|iOS|Node)"': ['shape.lib-marker', 'payload'],
  '^[^:/]+:8106$': ['shape.ingest-port', 'hostHeader'],
};

/** Category and alerting from the research's free-text category (endpoints.md severity advice). */
const CATEGORY_RULES: [RegExp, string, boolean][] = [
  [/^too-broad/, 'vendor', false],
  [/^(browser-history|browser telemetry)/, 'browser-history', true],
  [/^(browser|url-check)/, 'browser', true],
  [/^search telemetry/, 'telemetry', true],
  [/^search/, 'search', true],
  [/^telemetry ingest|^analytics|^sdk delivery|^sdk debug|^sdk remote-config/, 'analytics', true],
  [/^telemetry/, 'telemetry', true],
  [/^ads/, 'ads', true],
  [/^(crash|feedback|log upload)/, 'crash', true],
  [/^(push|push\/sms)/, 'push', false],
  [/^location/, 'location', true],
  [/^(cloud|security-center|yellow pages|preload|miui forum)/, 'cloud', false],
  [/^update/, 'update', false],
  [/^account/, 'account', false],
  [/^connectivity/, 'connectivity', false],
  [/^(app store|package-installer)/, 'appstore', false],
  [/^payments/, 'payments', false],
  [/^mi tv/, 'tv', false],
  [/^(documentation|website assets)/, 'vendor', false],
  // Sensors Data wire-format rows: the request itself is the analytics upload
  [/^(js |android|http |decoded-json|debug-mode)/, 'analytics', true],
  [/^default private-deployment ingest port/, 'analytics', false],
];

/** Rows that identify a vendor but are weak evidence on their own. */
const IMPRECISE = /low signal|weak alone|listed by hagezi|mixed purpose|too-broad|cookie names/i;
/** Request shapes that also appear on first-party requests (the shop's own pages carry the SDK cookie). */
const LABEL_ONLY_IDS = new Set(['sensorsdata/shape.js-cookie']);

const PRODUCTS: [RegExp, string][] = [
  [/sensors|sa\.api|sa-api|sa\.dashboard/i, 'Mi Browser (Sensors Analytics backend)'],
  [/onetrack|tracking\.|analytics/i, 'OneTrack / MIUI Analytics'],
  [/mistat/i, 'MiStats'],
  [/browser|brs|newsfeed|search/i, 'Mi Browser'],
  [/xmpush|app\.chat|resolver|solve\.msg|push/i, 'MiPush'],
  [/security|sec\.|avast|avlyun|url-?check/i, 'Security Center'],
  [/\bads?\b|ad\.|adv|ssp|union|miaozhen|traffic-media|e\.mi\.com|admob/i, 'MSA ads'],
  [/micloud|i\.mi\.com|account|cloud-sync/i, 'Mi Account / Mi Cloud'],
  [/market|installer|developer|app store/i, 'GetApps'],
  [/pandora|tv/i, 'Mi TV'],
];

export interface TsvRow {
  pattern: string;
  kind: 'host' | 'suffix' | 'regex';
  vendor: string;
  category: string;
  sources: string[];
}

export function parseEndpointsTsv(tsv: string): TsvRow[] {
  const rows: TsvRow[] = [];
  tsv.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim() || line.startsWith('#')) return;
    const f = line.split('\t');
    if (f.length !== 5) throw new Error(`endpoints.tsv line ${i + 1}: expected 5 tab-separated fields, got ${f.length}`);
    const [pattern, kind, vendor, category, source] = f;
    if (kind !== 'host' && kind !== 'suffix' && kind !== 'regex') throw new Error(`endpoints.tsv line ${i + 1}: unknown kind "${kind}"`);
    rows.push({
      pattern,
      kind,
      vendor,
      category,
      sources: source
        .split(' | ')
        .map((s) => s.trim())
        .filter(Boolean),
    });
  });
  return rows;
}

function vendorSlug(vendor: string): string {
  return vendor.toLowerCase().replace(/[^a-z0-9]+/g, '');
}

function classify(row: TsvRow): { category: string; alert: boolean } {
  const text = row.category.toLowerCase();
  for (const [re, category, alert] of CATEGORY_RULES) if (re.test(text)) return { category, alert };
  throw new Error(`endpoints.tsv: no category rule for "${row.category}" (${row.pattern})`);
}

function product(row: TsvRow): string {
  const text = `${row.pattern} ${row.category}`;
  if (row.vendor === 'Sensors Data') return 'Sensors Analytics';
  for (const [re, name] of PRODUCTS) if (re.test(text)) return name;
  return 'MIUI';
}

function rowSignature(row: TsvRow): Signature {
  const prefix = vendorSlug(row.vendor);
  let id: string;
  let match: SignatureMatchSpec;
  if (row.kind === 'regex') {
    const named = REGEX_ROWS[row.pattern];
    if (!named) throw new Error(`endpoints.tsv: regex row has no name in REGEX_ROWS: ${row.pattern}`);
    id = `${prefix}/${named[0]}`;
    match = { [named[1]]: row.pattern };
  } else {
    id = `${prefix}/${row.pattern}`;
    match = row.kind === 'host' ? { host: [row.pattern] } : { suffix: [row.pattern] };
  }
  const { category, alert } = classify(row);
  const confidence: Confidence = IMPRECISE.test(row.category) ? 'imprecise' : 'confident';
  return {
    id,
    vendor: row.vendor,
    product: product(row),
    category,
    match,
    alert: alert && !LABEL_ONLY_IDS.has(id),
    confidence,
    description: row.category,
    references: row.sources,
    added: RESEARCH_DATE,
  };
}

const VENDOR_RULE_REF = 'shared/captures/README.md (vendor rules)';

/** Bare vendor domains: every name under them is the vendor's, but most of it is ordinary service. */
const XIAOMI_LABELS = ['xiaomi.com', 'miui.com', 'mi.com', 'xiaomi.net'].map((d): Signature => ({
  id: `xiaomi/label.${d}`,
  vendor: 'Xiaomi',
  product: 'Xiaomi',
  category: 'vendor',
  match: { suffix: [d] },
  alert: false,
  confidence: 'confident',
  description: `a ${d} name: Xiaomi-operated, but too broad to alert on alone`,
  references: ['shared/research/endpoints.md §1 (never alert on the bare suffixes)', VENDOR_RULE_REF],
  added: RESEARCH_DATE,
}));

const UNF = 'unknownFalleN/xiaomi-dns-blocklist:xiaomi_dns_block.lst@5da3e98b';
const HGZ = 'hagezi/dns-blocklists:domains/native.xiaomi.txt@176da7a9';
const LIST_ROWS = 'shared/research/endpoints.tsv (list-only rows of this family)';

/** One family label: a name or suffix the research's lists (or the public code cited) tie to a vendor. */
function family(
  id: string,
  vendor: string,
  product: string,
  category: string,
  match: SignatureMatchSpec,
  description: string,
  references: string[],
  opts: { alert?: boolean; confidence?: Confidence } = {},
): Signature {
  return {
    id,
    vendor,
    product,
    category,
    match,
    alert: opts.alert ?? false,
    confidence: opts.confidence ?? 'confident',
    description,
    references,
    added: FAMILIES_ADDED,
  };
}

/** Date the family labels below were added (issue #21: real Xiaomi devices). */
const FAMILIES_ADDED = '2026-12-04';

/**
 * Families the list-only rows of endpoints.tsv (and the public code cited for them) belong to:
 * CDN, IoT / Mi Home / cameras, router, Mi TV partners, the vendors' cloud load balancers.
 * The list-only rows themselves stay out (their lists carry GPL/LGPL terms); a family label
 * names who runs a host without alerting on it (these are mostly functional traffic), so a
 * phone's Mi Home or CDN traffic is attributed to Xiaomi instead of being dropped as unknown.
 */
const XIAOMI_FAMILIES: Signature[] = [
  family(
    'xiaomi/family.mi-img.com',
    'Xiaomi',
    'Xiaomi CDN',
    'cdn',
    { suffix: ['mi-img.com'] },
    'Xiaomi image/file CDN (market.mi-img.com app-store images, cdn.*.fds.api.mi-img.com file storage)',
    [UNF, LIST_ROWS],
  ),
  family(
    'xiaomi/family.fds',
    'Xiaomi',
    'Xiaomi CDN',
    'cdn',
    { suffix: ['fds.api.xiaomi.com', 'fds-ssl.api.xiaomi.com'] },
    'Xiaomi File Data Storage (FDS) object storage and CDN (cnbj1./awssgp0-files./cdn.fds.api.xiaomi.com)',
    [UNF, LIST_ROWS],
  ),
  family(
    'xiaomi/family.mi-idc.com',
    'Xiaomi',
    'Xiaomi cloud',
    'cloud',
    { suffix: ['mi-idc.com'] },
    'Xiaomi data-centre GSLB resolver (resolver.gslb.mi-idc.com)',
    [UNF, LIST_ROWS],
  ),
  family(
    'xiaomi/family.io.mi.com',
    'Xiaomi',
    'Mi Home (IoT)',
    'iot',
    { suffix: ['io.mi.com'] },
    'Mi Home / MIoT cloud: api.io.mi.com and its regions (de./sg./us./ru./i2./cn.), cameras (business.smartcamera./processor.smartcamera.api.io.mi.com), login (sts.api.io.mi.com)',
    [
      'decompiled com.xiaomi.smarthome SmartHomeRc4Api (public code search, file 30904826565)',
      'Home Assistant xiaomi_vacuum integration const.py CLOUD_REGIONS (public code search, file 61561682895)',
      UNF,
      LIST_ROWS,
    ],
  ),
  family('xiaomi/family.iot.mi.com', 'Xiaomi', 'Mi Home (IoT)', 'iot', { suffix: ['iot.mi.com'] }, 'MIoT device services (idm.iot.mi.com)', [UNF, LIST_ROWS]),
  family('xiaomi/family.home.mi.com', 'Xiaomi', 'Mi Home (IoT)', 'iot', { host: ['home.mi.com'] }, 'Mi Home web services (home.mi.com)', [
    'decompiled com.xiaomi.smarthome server host helper (public code search, file 16696048485)',
  ]),
  family(
    'xiaomi/family.mijia.tech',
    'Xiaomi',
    'Mi Home (IoT)',
    'iot',
    { suffix: ['mijia.tech'] },
    'Mi Home (Mijia) cloud API since 2025 (https://api.mijia.tech/app, replacing api.io.mi.com/app)',
    ['Do1e/mijia-api CHANGELOG 3.0.0 (public code search, file 11795254185)'],
  ),
  family(
    'xiaomi/family.miwifi.com',
    'Xiaomi',
    'Xiaomi router',
    'iot',
    { suffix: ['miwifi.com'] },
    'Xiaomi router (Mi WiFi) cloud (api./eu.api./sg.api.miwifi.com)',
    [UNF, LIST_ROWS],
  ),
  family(
    'xiaomi/family.gitv.tv',
    'Xiaomi',
    'Mi TV content partner (GITV)',
    'tv',
    { suffix: ['gitv.tv'] },
    'Mi TV / PatchWall content partner GITV (ptqy.gitv.tv video, cupid ads, OTA); listed as Xiaomi-native by the blocklists',
    [HGZ, UNF, LIST_ROWS],
    { confidence: 'imprecise' },
  ),
  family(
    'xiaomi/family.kuyun.com',
    'Xiaomi',
    'Mi TV partner (Kuyun)',
    'tv',
    { suffix: ['kuyun.com'] },
    'Mi TV partner Kuyun (config./logonext.tv.kuyun.com); listed as Xiaomi-native by the blocklists',
    [UNF, LIST_ROWS],
    { confidence: 'imprecise' },
  ),
  family(
    'xiaomi/family.atianqi.com',
    'Xiaomi',
    'Mi TV video partner',
    'tv',
    { host: ['gvod.aiseejapp.atianqi.com'] },
    'Mi TV video partner host; listed as Xiaomi-native by the blocklists',
    [UNF, LIST_ROWS],
    { confidence: 'imprecise' },
  ),
  family(
    'xiaomi/family.aws-elb',
    'Xiaomi',
    'Xiaomi cloud',
    'cloud',
    { regex: '^[a-z0-9-]*(xiaomi|miui|micloud)[a-z0-9-]*\\.[a-z0-9-]+\\.elb\\.amazonaws\\.com$' },
    'AWS load balancers named after Xiaomi services (CNAME targets: us-api-micloud-xiaomi-net-….elb.amazonaws.com, api-setting-intl-miui-com-….elb.amazonaws.com)',
    [UNF, LIST_ROWS],
  ),
];

/** Sensors Data's SaaS ingest domains beyond sensorsdata.cn (tenants' own subdomains). */
const SENSORS_FAMILIES: Signature[] = [
  family(
    'sensorsdata/family.sensorsdatavip.com',
    'Sensors Data',
    'Sensors Analytics',
    'analytics',
    { suffix: ['sensorsdatavip.com'] },
    'Sensors Data SaaS ingest for tenants (https://datasink.<tenant>.sensorsdatavip.com/sa?project=…)',
    [
      'sa-sdk-javascript server_url of a tenant (public code search, file 34522702396)',
      'tenant web config sensorsDataUrl (public code search, file 1386130767)',
    ],
    { alert: true },
  ),
];

/** Shape signatures the research describes in prose (§2.4, captures README) but not as a table row. */
const SENSORS_EXTRA: Signature[] = [
  {
    id: 'sensorsdata/shape.user-agent',
    vendor: 'Sensors Data',
    product: 'Sensors Analytics',
    category: 'analytics',
    match: { userAgent: '^SensorsAnalytics\\b' },
    alert: true,
    confidence: 'confident',
    description: 'User-Agent of a Sensors Analytics SDK upload (iOS, Node, and SDK builds that name themselves)',
    references: ['sensorsdata/sa-sdk-ios@689ae4e3', 'npm sa-sdk-node@1.2.6 src/Submitter.js', VENDOR_RULE_REF],
    added: RESEARCH_DATE,
  },
];

export function buildPacks(tsv: string): SignaturePack[] {
  const rows = parseEndpointsTsv(tsv).filter((r) => !r.category.includes('[list-only'));
  const byVendor = new Map<string, Signature[]>();
  const ids = new Set<string>();
  for (const row of rows) {
    const sig = rowSignature(row);
    if (ids.has(sig.id)) throw new Error(`endpoints.tsv: duplicate signature id ${sig.id}`);
    ids.add(sig.id);
    const list = byVendor.get(row.vendor) ?? [];
    list.push(sig);
    byVendor.set(row.vendor, list);
  }
  const version = RESEARCH_DATE.replaceAll('-', '.');
  return [
    {
      name: 'xiaomi',
      version,
      description: 'Xiaomi / MIUI telemetry, ads, push, location and service endpoints (curated rows of shared/research/endpoints.tsv)',
      signatures: [...(byVendor.get('Xiaomi') ?? []), ...XIAOMI_LABELS, ...XIAOMI_FAMILIES],
    },
    {
      name: 'sensorsdata',
      version,
      description: 'Sensors Data (神策) analytics: vendor hosts and the SDK wire format on any host (shared/research/endpoints.tsv, endpoints.md §2)',
      signatures: [...(byVendor.get('Sensors Data') ?? []), ...SENSORS_EXTRA, ...SENSORS_FAMILIES],
    },
  ];
}

export function packToJson(pack: SignaturePack): string {
  return `${JSON.stringify(pack, null, 2)}\n`;
}

function main(): void {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // test-support or dist/test-support → the repository root
  const root = path.resolve(here, here.includes(`${path.sep}dist${path.sep}`) ? '../..' : '..');
  const tsvPath = process.argv[2] ?? path.resolve(root, '../shared/research/endpoints.tsv');
  const outDir = process.argv[3] ?? path.join(root, 'signatures');
  for (const pack of buildPacks(readFileSync(tsvPath, 'utf8'))) {
    const file = path.join(outDir, `${pack.name}.json`);
    writeFileSync(file, packToJson(pack));
    process.stdout.write(`${file}: ${pack.signatures.length} signatures\n`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
