/**
 * Analyst-supplied identifiers (`--identifier imei=864811045123671`): the device's own values,
 * searched for in every decoded layer in the forms apps send them: as is, in another letter
 * case, and as MD5 / SHA-1 / SHA-256 hex.
 */
import { createHash } from 'node:crypto';
import { LEAK_KINDS, type LeakKind } from './kinds.js';

export interface Identifier {
  kind: LeakKind;
  value: string;
}

/** One searchable form of an identifier. Hash forms are compared case-insensitively. */
export interface IdentifierForm {
  identifier: Identifier;
  form: string;
  needle: string;
  caseInsensitive: boolean;
}

const ALIASES = new Map<string, LeakKind>([
  ['oaid', 'advertising_id'],
  ['gaid', 'advertising_id'],
  ['idfa', 'advertising_id'],
  ['aaid', 'advertising_id'],
  ['adid', 'advertising_id'],
  ['androidid', 'android_id'],
  ['ssaid', 'android_id'],
  ['account', 'account_id'],
  ['user', 'account_id'],
  ['user_id', 'account_id'],
  ['login_id', 'account_id'],
  ['distinct_id', 'account_id'],
  ['model', 'device_model'],
  ['search', 'search_query'],
  ['query', 'search_query'],
  ['uuid', 'device_id'],
  ['meid', 'imei'],
  ['wifi_mac', 'mac'],
  ['mobile', 'phone'],
]);

/** `kind=value` → Identifier; throws a user-facing Error for a malformed spec or unknown kind. */
export function parseIdentifierSpec(spec: string): Identifier {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new Error(`identifier "${spec}" must be kind=value, e.g. imei=864811045123671`);
  const name = spec.slice(0, eq).trim().toLowerCase().replace(/-/g, '_');
  const value = spec.slice(eq + 1).trim();
  if (!value) throw new Error(`identifier "${spec}" has an empty value`);
  const kind = (LEAK_KINDS as readonly string[]).includes(name) ? (name as LeakKind) : ALIASES.get(name);
  if (!kind) throw new Error(`identifier kind "${name}" is unknown; use one of ${[...LEAK_KINDS, ...ALIASES.keys()].join(', ')}`);
  return { kind, value };
}

function hex(algorithm: string, s: string): string {
  return createHash(algorithm).update(s, 'utf8').digest('hex');
}

/** Every form of each identifier worth searching for (computed once per run). */
export function identifierForms(ids: Identifier[]): IdentifierForm[] {
  const out: IdentifierForm[] = [];
  for (const identifier of ids) {
    const v = identifier.value;
    const add = (form: string, needle: string, caseInsensitive = false) => {
      if (!out.some((f) => f.identifier === identifier && f.needle === needle)) out.push({ identifier, form, needle, caseInsensitive });
    };
    add('plain', v);
    if (v.toUpperCase() !== v) add('upper', v.toUpperCase());
    if (v.toLowerCase() !== v) add('lower', v.toLowerCase());
    for (const [variant, text] of [
      ['', v],
      ['_upper', v.toUpperCase()],
      ['_lower', v.toLowerCase()],
    ] as const) {
      if (variant && text === v) continue;
      add(`md5${variant}`, hex('md5', text), true);
      add(`sha1${variant}`, hex('sha1', text), true);
      add(`sha256${variant}`, hex('sha256', text), true);
    }
  }
  return out;
}
