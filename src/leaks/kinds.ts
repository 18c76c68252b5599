/**
 * Which leak a (key, value) pair is. The key's name gives the context and the value's shape
 * confirms it, so ordinary numbers and hex strings under unrelated keys are not reported.
 * Keys are compared normalised: lowercase, without the Sensors `$` and `$identity_` prefixes.
 */
import { StringMemo } from '../memo.js';

export type LeakKind =
  | 'url'
  | 'search_query'
  | 'page_title'
  | 'imei'
  | 'android_id'
  | 'advertising_id'
  | 'mac'
  | 'email'
  | 'phone'
  | 'location'
  | 'device_model'
  | 'os_version'
  | 'app'
  | 'screen'
  | 'incognito'
  | 'account_id'
  | 'session_token'
  | 'device_id'
  | 'referrer'
  | 'manufacturer'
  | 'app_version'
  | 'browser'
  | 'network'
  | 'locale';

export const LEAK_KINDS: readonly LeakKind[] = [
  'url',
  'search_query',
  'page_title',
  'imei',
  'android_id',
  'advertising_id',
  'mac',
  'email',
  'phone',
  'location',
  'device_model',
  'os_version',
  'app',
  'screen',
  'incognito',
  'account_id',
  'session_token',
  'device_id',
  'referrer',
  'manufacturer',
  'app_version',
  'browser',
  'network',
  'locale',
];

/** A classified value: `form` says how an identifier was carried when it is not plain (md5 …). */
export interface Classified {
  kind: LeakKind;
  value: string;
  form?: string;
}

const KEYS: [LeakKind, string[]][] = [
  ['url', ['url', 'u', 'page_url', 'current_url', 'link', 'href', 'ref', 'pages', 'urls', 'history', 'visited_url', 'url_visited', 'page_link']],
  ['referrer', ['referrer', 'referer', 'latest_referrer', 'first_referrer', 'ref_url']],
  [
    'search_query',
    [
      'q',
      'query',
      'keyword',
      'keywords',
      'search_keyword',
      'latest_search_keyword',
      'first_search_keyword',
      'wd',
      'word',
      'search_word',
      'search_query',
      'searchword',
      'search_term',
      'kw',
      'search',
      'searchkey',
    ],
  ],
  ['page_title', ['title', 'page_title']],
  ['imei', ['imei', 'imei1', 'imei2', 'meid', 'device_imei']],
  ['android_id', ['android_id', 'androidid', 'ai', 'ssaid']],
  ['advertising_id', ['oaid', 'gaid', 'idfa', 'adid', 'advertising_id', 'advertisingid', 'aaid', 'ad_id', 'aa', 'od', 'google_ad_id']],
  ['mac', ['mac', 'mac_address', 'macaddr', 'mac_addr', 'wifi_mac', 'bssid']],
  ['email', ['email', 'e_mail', 'mail']],
  ['phone', ['phone', 'mobile', 'tel', 'telephone', 'phone_number', 'phonenumber', 'msisdn', 'mobile_phone']],
  ['location', ['latitude', 'longitude', 'lat', 'lng', 'lon', 'city', 'province', 'location', 'geo', 'gps']],
  ['device_model', ['model', 'device_model', '_mod_', 'phone_model', 'model_code', 'm']],
  ['os_version', ['os_version', 'osv', 'os', 'os_ver', 'android_version', 'miui_version', 'miui', '_miuiver_', 'rom_version']],
  ['app', ['pkg', 'package', 'package_name', 'packagename', 'app_package', '_app_', 'sender', 'app_name']],
  ['screen', ['screen_name', 'activity', 'screen']],
  ['incognito', ['incognito', 'incognito_mode', 'inc', 'is_incognito', 'private_mode', 'privacy_mode']],
  [
    'account_id',
    [
      'distinct_id',
      'login_id',
      'user_id',
      'userid',
      'uid',
      'account_id',
      'account',
      'mi_id',
      'xiaomi_id',
      'anonymous_id',
      'original_id',
      'cookie_id',
      'cuserid',
      'c_user_id',
    ],
  ],
  // session credentials: Xiaomi account cookies (`serviceToken`, `passToken`, `<sid>_serviceToken`), OAuth and bearer tokens
  [
    'session_token',
    [
      'servicetoken',
      'service_token',
      'passtoken',
      'pass_token',
      'yetanotherservicetoken',
      'session_token',
      'sessiontoken',
      'access_token',
      'accesstoken',
      'auth_token',
      'authtoken',
      'refresh_token',
      'authorization',
    ],
  ],
  ['device_id', ['device_id', 'deviceid', 'did', '_di_', 'udid', 'uuid', 'device_uuid', 'mi_uuid', 'android_uuid', 'instance_id', 'ii', 'cuid', 'imsi']],
  ['manufacturer', ['manufacturer', 'brand', 'device_brand']],
  ['app_version', ['app_version', 'av', 'version_name', 'app_ver', 'appversion']],
  ['browser', ['browser', 'browser_version', 'browser_name']],
];

const KEY_KIND = new Map<string, LeakKind>();
for (const [kind, keys] of KEYS) for (const k of keys) KEY_KIND.set(k, kind);

/** Keys that carry a hash of an identifier (MiStat v3 short keys, `imei_md5` …). */
const HASHED_KEYS = new Map<string, LeakKind>([
  ['imei_md5', 'imei'],
  ['imeimd5', 'imei'],
  ['imei_sha1', 'imei'],
  ['imei_sha256', 'imei'],
  ['hashed_imei', 'imei'],
  ['ia', 'imei'],
  ['i1', 'imei'],
  ['md', 'imei'],
  ['ms', 'imei'],
  ['mac_md5', 'mac'],
  ['mcm', 'mac'],
  ['mcs', 'mac'],
  ['android_id_md5', 'android_id'],
]);

/** Identifier kinds an app may send hashed under a telling key (`imei_md5`, `oaid_sha1`, `md5_android_id`). */
const HASHABLE = new Set<LeakKind>(['imei', 'android_id', 'advertising_id', 'mac', 'device_id', 'phone', 'email']);
const HASH_SUFFIX_RE = /^(?:hashed_|hash_)?([a-z0-9_]+?)_?(md5|sha1|sha256)$/;
const HASH_PREFIX_RE = /^(md5|sha1|sha256)_?([a-z0-9_]+)$/;

// the kind a normalised key announces a hash of, or null (memoised: few distinct keys per capture)
const hashedKeyKinds = new StringMemo<LeakKind | null>((k) => {
  const fixed = HASHED_KEYS.get(k);
  if (fixed) return fixed;
  const m = HASH_SUFFIX_RE.exec(k) ?? HASH_PREFIX_RE.exec(k);
  if (!m) return null;
  const inner = KEY_KIND.get(m[1] === 'md5' || m[1] === 'sha1' || m[1] === 'sha256' ? m[2] : m[1]);
  return inner !== undefined && HASHABLE.has(inner) ? inner : null;
});

// an SDK sends the same few dozen keys in every event
const normalisedKeys = new StringMemo((key) => {
  let k = key.toLowerCase().replace(/-/g, '_');
  if (k.startsWith('$')) k = k.slice(1);
  if (k.startsWith('identity_')) k = k.slice('identity_'.length);
  return k;
});

/** Whether `key` names a session credential: its value is reported as sent, never peeled. */
export function isSessionTokenKey(key: string): boolean {
  const k = normaliseKey(key);
  return KEY_KIND.get(k) === 'session_token' || k.endsWith('_servicetoken');
}

export function normaliseKey(key: string): string {
  return normalisedKeys.get(key);
}

/**
 * The key a custom header's value is classified under: its name without `x-`, and without
 * leading vendor segments until a known key is left (`x-mi-android-id` → `android_id`,
 * `x-mi-model` → `model`); the whole name when no tail is a known key (`x-trace-ctx`).
 */
export function headerKey(name: string): string {
  const whole = normaliseKey(name.replace(/^x-/i, ''));
  if (KEY_KIND.has(whole) || HASHED_KEYS.has(whole)) return whole;
  for (let i = whole.indexOf('_'); i >= 0; i = whole.indexOf('_', i + 1)) {
    const tail = whole.slice(i + 1);
    if (KEY_KIND.has(tail) || HASHED_KEYS.has(tail)) return tail;
  }
  return whole;
}

/** SDK placeholders for unknown values, and values that carry nothing (not leaks). */
export function isPlaceholder(v: string): boolean {
  const t = v.trim();
  if (t.length === 0) return true;
  if (t.startsWith('未取到值') || t.startsWith('取值异常') || t.startsWith('url的domain解析失败') || t.startsWith('url解析失败')) return true;
  // (the length and first-character tests only spare most values the regular expressions)
  if (t.length <= 9 && /^(null|undefined|unknown|none|nil|\(null\)|n\/a|-|-1|0|false)$/i.test(t)) return true;
  const c0 = t.charCodeAt(0);
  if ((c0 === 0x30 || c0 === 0x3a || c0 === 0x2e || c0 === 0x2d) && /^[0:.-]+$/.test(t)) return true; // 0000…, 00:00:…, zero UUIDs
  return t === '02:00:00:00:00:00';
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

const IMEI_RE = /^\d{15}$/;
const HEX16_RE = /^[0-9a-f]{16}$/i;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const AD_ID_RE = /^(?:[0-9a-f]{16}|[0-9a-f]{32}|[0-9a-f]{64}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
const MAC_RE = /^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/i;
const EMAIL_RE = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/;
const PHONE_RE = /^\+?[\d\s().-]{7,24}$/;
const MIUI_VERSION_RE = /^V\d{1,2}(\.\d+){2,3}\.[A-Z]{4,}$/;
const URL_RE = /^(?:https?:\/\/|www\.)[^\s]+$/i;
/** An app's custom-scheme link (`shopexample://prodotto/123`): not javascript:, data: or about: (no `//`). */
const DEEP_LINK_RE = /^[a-z][a-z0-9+.-]{1,31}:\/\/[^\s/]+[^\s]*$/i;
const HASH_RE: [RegExp, string][] = [
  [/^[0-9a-f]{32}$/i, 'md5'],
  [/^[0-9a-f]{40}$/i, 'sha1'],
  [/^[0-9a-f]{64}$/i, 'sha256'],
];
const PACKAGE_RE = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/i;
const TRUE_RE = /^(true|1|yes|on)$/i;

export function looksLikeUrl(v: string): boolean {
  return URL_RE.test(v.trim());
}

/**
 * The leaks a value under `key` is (several when a value is two things at once: the Sensors
 * `$device_id` is the Android ID). `key` null: value shape alone, for the few distinctive shapes.
 */
export function classify(key: string | null, value: string): Classified[] {
  const v = value.trim();
  if (isPlaceholder(v) || v.length > 4096) return [];
  const out: Classified[] = [];
  const k = key === null ? null : normaliseKey(key);
  const kind = k === null ? undefined : (KEY_KIND.get(k) ?? (k.endsWith('_servicetoken') ? 'session_token' : undefined));
  // distinctive shapes, under any key
  // (cheap tests first: most values have none of these shapes)
  if (v.indexOf('@') > 0 && EMAIL_RE.test(v)) out.push({ kind: 'email', value: v });
  if (v.length === 17 && MAC_RE.test(v)) out.push({ kind: 'mac', value: v });
  if (v.charCodeAt(0) === 0x56 /* V */ && MIUI_VERSION_RE.test(v) && kind !== 'os_version') out.push({ kind: 'os_version', value: v });
  if (k === null) return out;

  const hashed = kind === undefined ? hashedKeyKinds.get(k) : null;
  if (hashed) {
    const form = HASH_RE.find(([re]) => re.test(v))?.[1];
    if (form) out.push({ kind: hashed, value: v.toLowerCase(), form });
    return out;
  }
  switch (kind) {
    case undefined:
      return out;
    case 'url':
      // app deep links (`shopexample://prodotto/123`) are visited pages too
      if (looksLikeUrl(v) || DEEP_LINK_RE.test(v)) out.push({ kind, value: v });
      break;
    case 'referrer':
      if (looksLikeUrl(v)) out.push({ kind, value: v });
      break;
    case 'search_query':
      // a letter of any script: `q=1` page numbers and flags are not searches
      if (!looksLikeUrl(v) && /\p{L}/u.test(v) && v.length <= 512) out.push({ kind, value: v });
      break;
    case 'page_title':
    case 'screen':
      if (/\p{L}/u.test(v)) out.push({ kind, value: v });
      break;
    case 'imei':
      if (IMEI_RE.test(v) && luhnValid(v)) out.push({ kind, value: v });
      break;
    case 'android_id':
      if (HEX16_RE.test(v)) out.push({ kind, value: v.toLowerCase() });
      break;
    case 'advertising_id':
      if (AD_ID_RE.test(v)) out.push({ kind, value: v.toLowerCase() });
      break;
    case 'mac':
      break; // shape handled above
    case 'email':
      break;
    case 'phone':
      if (PHONE_RE.test(v) && (v.match(/\d/g)?.length ?? 0) >= 7) out.push({ kind, value: v });
      break;
    case 'location':
      if (k === 'city' || k === 'province' || k === 'location' || k === 'geo' || k === 'gps') {
        if (/\p{L}|\d/u.test(v)) out.push({ kind, value: v });
      } else {
        const n = Number(v);
        const max = k === 'lat' || k === 'latitude' ? 90 : 180;
        if (v !== '' && Number.isFinite(n) && n !== 0 && Math.abs(n) <= max) out.push({ kind, value: v });
        // Sensors Data SDKs send `$latitude`/`$longitude` as integers scaled by 10^6 (45464211 = 45.464211)
        else if (Number.isSafeInteger(n) && Math.abs(n) > max && Math.abs(n) <= max * 1e6) out.push({ kind, value: String(n / 1e6), form: 'e6' });
      }
      break;
    case 'device_model':
      // the short key `m` only with a model-like value (letters and digits, no path or URL)
      if (k === 'm' ? /\p{L}/u.test(v) && /\d/.test(v) && v.length >= 3 && v.length <= 40 && !/[/=]/.test(v) : /\p{L}|\d/u.test(v))
        out.push({ kind, value: v });
      break;
    case 'os_version':
      if (v.length <= 64 && /[\p{L}\d]/u.test(v)) out.push({ kind, value: v });
      break;
    case 'app':
      if (k === 'app_name' ? /\p{L}/u.test(v) : PACKAGE_RE.test(v)) out.push({ kind, value: v });
      break;
    case 'incognito':
      if (TRUE_RE.test(v)) out.push({ kind, value: 'true' });
      break;
    case 'account_id':
      if (v.length >= 3 && v.length <= 256 && !TRUE_RE.test(v)) out.push({ kind, value: v });
      break;
    case 'session_token':
      // a credential is long and has no spaces (but `Authorization: Bearer <token>`)
      if (v.length >= 8 && /^(?:[A-Za-z]+ )?[^\s]{8,}$/.test(v) && !TRUE_RE.test(v)) out.push({ kind, value: v });
      break;
    case 'device_id':
      if (v.length >= 6 && v.length <= 128) {
        out.push({ kind, value: v });
        if (IMEI_RE.test(v) && luhnValid(v)) out.push({ kind: 'imei', value: v });
        // Sensors SDKs send the Android ID as $device_id
        if (k === 'device_id' && HEX16_RE.test(v)) out.push({ kind: 'android_id', value: v.toLowerCase() });
      }
      break;
    case 'manufacturer':
    case 'app_version':
    case 'browser':
      if (v.length <= 128 && /[\p{L}\d]/u.test(v)) out.push({ kind, value: v });
      break;
  }
  if (kind === 'android_id' && UUID_RE.test(v)) out.push({ kind: 'device_id', value: v });
  return out;
}

/**
 * An Android ID's exact shape: `Settings.Secure.ANDROID_ID` is 16 lowercase hex digits (Android 8
 * and later). A letter and a digit are required, so 16-digit numbers and hex words are not it.
 */
const ANDROID_ID_SHAPE_RE = /^(?=[0-9]*[a-f])(?=[a-f]*[0-9])[0-9a-f]{16}$/;

/**
 * A value under a key too short to say what it carries (`d`, `k2`: minified and obfuscated SDKs)
 * that has the Android ID's exact shape: a probable Android ID. Ambiguous on its own (a 16-hex
 * trace id, MIUI's OAID has the same shape), so the caller asks it only for requests to a host a
 * signature pack names as a tracking vendor's, and the finding says it is probable and why.
 * Keys the tables above know are never re-read here (`m`, `u`, `q`, `ai` … keep their meaning).
 */
export function classifyShortKey(key: string, value: string): Classified | null {
  const k = normaliseKey(key);
  if (k.length === 0 || k.length > 2 || !/^[a-z0-9]+$/.test(k) || KEY_KIND.has(k) || HASHED_KEYS.has(k)) return null;
  const v = value.trim();
  return ANDROID_ID_SHAPE_RE.test(v) ? { kind: 'android_id', value: v } : null;
}

// an app sends the same User-Agent with every request
const userAgentLeaks = new StringMemo<readonly Classified[]>((ua) => Object.freeze(userAgentFindings(ua)));

/** Model and OS versions an Android User-Agent names (`Android 10; Redmi Note 8 Pro Build/…`, `MIUI/V12…`). */
export function classifyUserAgent(ua: string): readonly Classified[] {
  return userAgentLeaks.get(ua);
}

/** Comment segments that are not a device model: `U`, `wv`, `Linux`, `Mobile`, locales, Chrome's reduced `K`. */
const NOT_A_MODEL_RE = /^(?:u|n|i|wv|k|linux|mobile|tablet|x11|arm|arm64|aarch64|[a-z]{2}(?:[-_][a-z]{2,4})?)$/i;
/** Mi Home's okhttp UA: `Android-<os>-<app version>-<model>-<n>-<id> APP/<package> APPV/<n>`. */
const MIHOME_UA_RE = /^Android-(\d+(?:\.\d+)*)-[\w.]+-(.+?)-\d+-[A-Za-z0-9]+ APP\/([a-z][\w.]+)/;

/** A device model out of one `;`-separated UA comment segment (`Redmi Note 9 Pro MIUI/V12…`, `M2007J20CG Build/QKQ1…`). */
function modelOfSegment(segment: string): string | null {
  const m = segment
    .replace(/\s+(?:Build|MIUI|Miui|miui)\/.*$/, '')
    .replace(/^Build\/.*$/, '')
    .trim();
  if (m.length < 2 || m.length > 60 || NOT_A_MODEL_RE.test(m) || !/\p{L}/u.test(m) || /^Android\b/i.test(m) || isPlaceholder(m)) return null;
  return m;
}

function userAgentFindings(ua: string): Classified[] {
  const out: Classified[] = [];
  const push = (kind: LeakKind, value: string) => {
    if (!out.some((c) => c.kind === kind && c.value === value)) out.push({ kind, value });
  };
  const mihome = MIHOME_UA_RE.exec(ua);
  if (mihome) {
    push('os_version', `Android ${mihome[1]}`);
    const model = modelOfSegment(mihome[2]);
    if (model) push('device_model', model);
    push('app', mihome[3]);
  }
  const android = /Android[ /](\d+(?:\.\d+)*)/.exec(ua);
  if (android) push('os_version', `Android ${android[1]}`);
  // the model follows the `Android N` segment of a `(…; Android N; [locale;] model[ Build/…| MIUI/…])`
  // comment (Dalvik, WebView, okhttp apps that copy it); ` Build/` anywhere names it too
  for (const comment of ua.matchAll(/\(([^()]*Android[^()]*)\)/g)) {
    const segments = comment[1].split(';').map((x) => x.trim());
    const at = segments.findIndex((x) => /^Android(?:[ /]\d|$)/.test(x));
    const built = segments.find((x) => /\sBuild\//.test(x));
    let model = built ? modelOfSegment(built) : null;
    for (let i = at + 1; at >= 0 && model === null && i < segments.length; i++) model = modelOfSegment(segments[i]);
    if (model) push('device_model', model);
  }
  if (!out.some((c) => c.kind === 'device_model')) {
    const built = /;\s*([^;()]+?)\s+Build\//.exec(ua);
    if (built && !isPlaceholder(built[1])) push('device_model', built[1]);
  }
  const miui = /MIUI\/(V?[\w.]+)/.exec(ua);
  if (miui) push('os_version', miui[1]);
  return out;
}
