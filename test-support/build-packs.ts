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
  '^https?://data\\.mistat\\.(intl\\.|india\\.|rus\\.|us\\.)?xiaomi\\.com/(mistats(/v[23])?|micrash|realtime_network|get_all_config|idservice/deviceid_get|getconfig)': ['mistat.url', 'url'],
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
    rows.push({ pattern, kind, vendor, category, sources: source.split(' | ').map((s) => s.trim()).filter(Boolean) });
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
const XIAOMI_LABELS = ['xiaomi.com', 'miui.com', 'mi.com', 'xiaomi.net'].map(
  (d): Signature => ({
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
  }),
);

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
      signatures: [...(byVendor.get('Xiaomi') ?? []), ...XIAOMI_LABELS],
    },
    {
      name: 'sensorsdata',
      version,
      description: 'Sensors Data (神策) analytics: vendor hosts and the SDK wire format on any host (shared/research/endpoints.tsv, endpoints.md §2)',
      signatures: [...(byVendor.get('Sensors Data') ?? []), ...SENSORS_EXTRA],
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
