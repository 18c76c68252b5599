/**
 * Experiment windows (`--window LABEL=START..END`): named stretches of time, such as "incognito
 * on" from 12:01 to 12:05, that every finding inside them is tagged with. A bound is an ISO 8601
 * time (`2020-05-01T12:01:00Z`; without a zone it is UTC) or an offset from the capture's first
 * packet (`+90s`, `+1m30s`, `+1h`, `+0.5s`). A window holds the times t with START <= t < END.
 *
 * Times are whole microseconds since the epoch (the reports' precision; 2^53 µs is year 2255).
 */

export type WindowBound = { kind: 'absolute'; us: number; text: string } | { kind: 'offset'; us: number; text: string };

export interface ExperimentWindow {
  label: string;
  start: WindowBound;
  end: WindowBound;
}

/** A window with both bounds in microseconds since the epoch, for one capture. */
export interface ResolvedWindow {
  label: string;
  startUs: number;
  endUs: number;
}

const OFFSET = /^\+(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+(?:\.\d+)?)ms)?$/;
const ISO = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

function parseBound(text: string, what: string, spec: string): WindowBound {
  const t = text.trim();
  const off = OFFSET.exec(t);
  if (off && t !== '+') {
    const [h, m, s, ms] = off.slice(1).map((x) => (x === undefined ? 0 : Number(x)));
    return { kind: 'offset', us: Math.round(((h * 60 + m) * 60 + s) * 1e6 + ms * 1e3), text: t };
  }
  const iso = ISO.exec(t);
  if (iso) {
    const zone = iso[4] ?? 'Z';
    const ms = Date.parse(`${iso[1]}T${iso[2].length === 5 ? iso[2] + ':00' : iso[2]}${zone.length === 5 ? zone.slice(0, 3) + ':' + zone.slice(3) : zone}`);
    if (Number.isFinite(ms)) {
      const frac = (iso[3] ?? '').padEnd(6, '0').slice(0, 6);
      return { kind: 'absolute', us: ms * 1000 + Number(frac), text: t };
    }
  }
  throw new WindowSpecError(
    `--window "${spec}": ${what} "${t}" is neither an ISO 8601 time (2020-05-01T12:01:00Z) nor an offset from the capture's start (+90s, +1m30s)`,
  );
}

export class WindowSpecError extends Error {
  override name = 'WindowSpecError';
}

/** Parses `LABEL=START..END`; throws WindowSpecError naming the part that is wrong. */
export function parseWindow(spec: string): ExperimentWindow {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new WindowSpecError(`--window "${spec}": expected LABEL=START..END (e.g. incognito=+60s..+5m)`);
  const label = spec.slice(0, eq).trim();
  const range = spec.slice(eq + 1);
  const dots = range.indexOf('..');
  if (dots < 0) throw new WindowSpecError(`--window "${spec}": expected START..END after "${label}=" (two dots between the times)`);
  const start = parseBound(range.slice(0, dots), 'start', spec);
  const end = parseBound(range.slice(dots + 2), 'end', spec);
  if (start.kind === end.kind && end.us <= start.us) throw new WindowSpecError(`--window "${spec}": the end is not after the start`);
  return { label, start, end };
}

/** Parses every spec and refuses a label given twice (findings would carry it ambiguously). */
export function parseWindows(specs: readonly string[]): ExperimentWindow[] {
  const out = specs.map(parseWindow);
  const seen = new Set<string>();
  for (const w of out) {
    if (seen.has(w.label)) throw new WindowSpecError(`--window: the label "${w.label}" is given twice`);
    seen.add(w.label);
  }
  return out;
}

/** The windows' bounds for a capture whose first packet was at `captureStartUs`. */
export function resolveWindows(windows: readonly ExperimentWindow[], captureStartUs: number): ResolvedWindow[] {
  const at = (b: WindowBound) => (b.kind === 'absolute' ? b.us : captureStartUs + b.us);
  return windows.map((w) => ({ label: w.label, startUs: at(w.start), endUs: at(w.end) }));
}

/** Labels of the windows holding `us`, in the order the windows were given. */
export function windowsAt(windows: readonly ResolvedWindow[], us: number): string[] {
  const out: string[] = [];
  for (const w of windows) if (us >= w.startUs && us < w.endUs) out.push(w.label);
  return out;
}

/** Microseconds since the epoch of a report timestamp (`2020-05-01T10:00:00.123456Z`). */
export function timestampUs(ts: string): number {
  const dot = ts.indexOf('.');
  if (dot < 0) return Date.parse(ts) * 1000;
  const frac = ts.slice(dot + 1, ts.length - 1);
  return Date.parse(ts.slice(0, dot) + 'Z') * 1000 + Number(frac.padEnd(6, '0').slice(0, 6));
}

/** Microseconds since the epoch of a (seconds, nanoseconds) capture timestamp. */
export function tsUs(sec: number, nsec: number): number {
  return sec * 1e6 + Math.floor(nsec / 1000);
}
