/**
 * The timeline: one row per host, time across. A grey bar spans the host's connections
 * (first_seen … last_seen); a tick marks each request that carried personal data (from the
 * evidence), a diamond those that said the browser was in incognito mode; experiment windows
 * are yellow bands, and requests inside one are outlined.
 */
import type { HostRecord } from '../../engine/hosts.js';
import { timestampUs } from '../../engine/windows.js';
import { html, join, type Html } from './markup.js';
import type { RequestActivity } from './activity.js';

/** width of the columns request times are counted in: the path's size is bounded by the plot's width */
const BIN_PX = 3;

/**
 * All requests to a host as one path of thin bars, one per BIN_PX-wide column that saw any,
 * taller where there were more (log scale), so a million requests cost as much as a few hundred.
 */
function activityPath(host: string, activity: RequestActivity, x: (us: number) => number, y: number, startUs: number, endUs: number): Html | '' {
  const times = activity.of(host);
  const dropped = activity.dropped.get(host) ?? 0;
  if (times.length === 0) return '';
  const bins = new Map<number, number>();
  for (const t of times) {
    if (t < startUs || t > endUs) continue;
    const b = Math.floor(x(t) / BIN_PX);
    bins.set(b, (bins.get(b) ?? 0) + 1);
  }
  let d = '';
  for (const [b, n] of [...bins].sort((p, q) => p[0] - q[0])) {
    const hgt = Math.min(16, 4 + Math.round(3 * Math.log2(n)));
    d += `M${b * BIN_PX} ${y + 17 - hgt}h${BIN_PX - 1}v${hgt}h-${BIN_PX - 1}z`;
  }
  const total = times.length + dropped;
  return html`<path class="act" d="${d}"><title>${host}: ${total} request(s) and TLS/QUIC connection(s)${dropped ? ` (${dropped} past the limit htmlTimelineRequestsPerHost not drawn)` : ''}</title></path>`;
}

const WIDTH = 960;
const LABEL_W = 250;
const ROW_H = 20;
const TOP = 30;

export interface TimelineRequest {
  file: string;
  frame: number;
  time: string;
  us: number;
  stream: number;
  /** `kind: value` of each finding in the request */
  findings: string[];
  kinds: Set<string>;
  windows: Set<string>;
}

/** The requests behind a host's evidence, one per (capture, frame), in time order. */
export function hostRequests(h: HostRecord): TimelineRequest[] {
  const byFrame = new Map<string, TimelineRequest>();
  for (const l of h.leaks) {
    for (const e of l.evidence) {
      if (!e.time) continue;
      const key = `${e.file}\u0000${e.frame}`;
      let r = byFrame.get(key);
      if (!r)
        byFrame.set(
          key,
          (r = { file: e.file, frame: e.frame, time: e.time, us: timestampUs(e.time), stream: e.stream, findings: [], kinds: new Set(), windows: new Set() }),
        );
      r.findings.push(`${l.kind}: ${l.value}`);
      r.kinds.add(l.kind);
      for (const w of e.windows ?? []) r.windows.add(w);
    }
  }
  return [...byFrame.values()].sort((a, b) => a.us - b.us || a.frame - b.frame);
}

export interface TimelineWindow {
  label: string;
  startUs: number;
  endUs: number;
}

/** An offset on the axis, in the unit the whole span calls for (ms below one second). */
function fmtOffset(us: number, spanUs: number): string {
  const s = us / 1e6;
  if (spanUs < 1e6) return `+${Math.round(us / 100) / 10}ms`;
  if (s < 120) return `+${Math.round(s * 10) / 10}s`;
  if (s < 7200) return `+${Math.floor(s / 60)}m${Math.round(s % 60)}s`;
  return `+${Math.floor(s / 3600)}h${Math.round((s % 3600) / 60)}m`;
}

/**
 * The timeline SVG over [startUs, endUs]; `maxRows` hosts at most (the rest are counted).
 * Hosts with findings come first; a host with no time at all is left out.
 */
export function timelineSvg(
  hosts: readonly HostRecord[],
  startUs: number,
  endUs: number,
  windows: readonly TimelineWindow[],
  maxRows: number,
  activity?: RequestActivity,
): { svg: Html; left: number } {
  const rows = hosts.filter((h) => h.first_seen || h.leaks.length > 0);
  rows.sort((a, b) => Number(b.leaks.length > 0) - Number(a.leaks.length > 0));
  const shown = rows.slice(0, maxRows);
  const span = Math.max(1, endUs - startUs);
  const plotW = WIDTH - LABEL_W - 10;
  const x = (us: number) => Math.round((LABEL_W + ((us - startUs) / span) * plotW) * 10) / 10;
  const height = TOP + shown.length * ROW_H + 10;

  const bands = windows.map((w) => {
    const a = Math.max(startUs, w.startUs);
    const b = Math.min(endUs, w.endUs);
    if (b < a) return '';
    const w0 = x(a);
    return html`<g><title>window ${w.label}</title><rect class="band" x="${w0}" y="${TOP - 6}" width="${Math.max(2, x(b) - w0)}" height="${height - TOP}"/><text class="band-label" x="${w0 + 2}" y="${TOP - 8}">${w.label}</text></g>`;
  });
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const tx = Math.round(LABEL_W + f * plotW);
    return html`<line class="axis" x1="${tx}" x2="${tx}" y1="${TOP - 4}" y2="${height - 8}" stroke-dasharray="2 4"/><text x="${tx}" y="12" text-anchor="${f === 0 ? 'start' : f === 1 ? 'end' : 'middle'}">${fmtOffset(f * span, span)}</text>`;
  });

  const lines = shown.map((h, i) => {
    const y = TOP + i * ROW_H;
    const label = h.host.length > 36 ? h.host.slice(0, 35) + '…' : h.host;
    const bar =
      h.first_seen && h.last_seen
        ? html`<rect class="span" x="${x(timestampUs(h.first_seen))}" y="${y + 6}" width="${Math.max(2, x(timestampUs(h.last_seen)) - x(timestampUs(h.first_seen)))}" height="6"><title>${h.host}: connections ${h.first_seen} … ${h.last_seen}</title></rect>`
        : '';
    const requests = activity ? activityPath(h.host, activity, x, y, startUs, endUs) : '';
    const reqs = hostRequests(h).map((r) => {
      const cls = `req leaked${r.kinds.has('incognito') ? ' inc' : ''}${r.windows.size ? ' in-window' : ''}`;
      const title = `${h.host} frame ${r.frame} at ${r.time}${r.windows.size ? ` (window ${[...r.windows].join(', ')})` : ''}${r.kinds.has('incognito') ? ' — incognito' : ''}\n${r.findings.slice(0, 12).join('\n')}${r.findings.length > 12 ? `\n… ${r.findings.length - 12} more` : ''}`;
      const cx = x(r.us);
      const shape = r.kinds.has('incognito')
        ? html`<path class="${cls}" d="M${cx} ${y + 2}l6 7-6 7-6-7z"><title>${title}</title></path>`
        : html`<rect class="${cls}" x="${cx - 2}" y="${y + 2}" width="4" height="14"><title>${title}</title></rect>`;
      return shape;
    });
    return html`<g class="row"><text x="0" y="${y + 13}">${label}</text>${bar}${requests}${reqs}</g>`;
  });

  return {
    svg: html`<svg class="timeline" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="timeline-caption">${join(bands)}${join(ticks)}${join(lines)}</svg>`,
    left: rows.length - shown.length,
  };
}
