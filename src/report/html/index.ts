/**
 * `--format html`: a report as one self-contained page (see page.ts for the policy that keeps
 * it offline). Written in pieces to the sink; every captured string goes through the escaping
 * templates of markup.ts.
 */
import type { AnalyzeResult } from '../../engine/analyze.js';
import type { Limits } from '../../limits.js';
import type { Sink } from '../sink.js';
import { reportSummary } from '../footer.js';
import { html } from './markup.js';
import type { DiffResult } from '../../diff/hosts-diff.js';
import { diffBody } from './diff.js';
import { batchBody, type BatchHtmlInput } from './batch.js';
import { writePage } from './page.js';
import type { RequestActivity } from './activity.js';
export { RequestActivity } from './activity.js';
import { headerSection, hostsSection, mapSection, sourcesFooter, timelineSection } from './sections.js';

export interface AnalyzeHtml {
  kind: 'analyze';
  result: AnalyzeResult;
  limits: Limits;
  /** the page's title (default: the captures' names) */
  title?: string;
  /** request times per host for the timeline (collected with analyzeCaptures' onObservation) */
  activity?: RequestActivity;
}

export interface DiffHtml {
  kind: 'diff';
  diff: DiffResult;
  limits: Limits;
  title?: string;
}

export interface BatchHtml extends BatchHtmlInput {
  kind: 'batch';
}

export type HtmlReport = AnalyzeHtml | DiffHtml | BatchHtml;

function* analyzeBody(r: AnalyzeHtml) {
  const { result, limits } = r;
  const multi = result.header.captures.length > 1;
  yield html`<header><h1>${r.title ?? 'What the device sent'}</h1><p>${reportSummary(result)}</p></header>`;
  yield headerSection(result.header);
  yield mapSection(result.hosts);
  yield timelineSection(result, limits, r.activity);
  yield hostsSection(result.hosts, limits, multi);
  yield sourcesFooter(result.header);
}

export function writeHtmlReport(out: Sink, report: HtmlReport): void {
  if (report.kind === 'batch') {
    writePage(out, `leakscope batch: ${report.aggregate.totals.captures} capture(s)`, batchBody(report));
    return;
  }
  if (report.kind === 'diff') {
    writePage(out, `leakscope diff: ${report.diff.a.label} → ${report.diff.b.label}`, diffBody(report.diff, report.title));
    return;
  }
  const names = report.result.header.captures.map((c) => c.file).join(', ');
  writePage(out, `leakscope: ${names}`, analyzeBody(report));
}
