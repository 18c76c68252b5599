/**
 * Nesting: an analyzer drives a child analyzer of the detection table with bytes it recovered
 * (TLS → `http`/`http2` by ALPN once decrypted, QUIC → `http3`). The child's context is its
 * parent's flow, stream and anomaly sink; its observations carry the fields the parent names
 * (`carrier`, `http_version`, `stream_id`…) after their own.
 */
import type { AnomalySink } from '../anomaly.js';
import type { Dir } from '../flow/dir.js';
import type { Observation, ObservationBase, ObservationDetail } from '../engine/observations.js';
import type { Analyzer, AnalyzerContext, DetectionRow, PacketTime } from './analyzer.js';

type Fields = Readonly<Record<string, unknown>>;

/** The analyzer of the row called `name`, as a child of `parent` (children are created by name, not sniffed). */
export function createChild(table: readonly DetectionRow[], name: string, parent: AnalyzerContext, fields: Fields | undefined): Analyzer {
  const row = table.find((r) => r.name === name);
  if (row === undefined) throw new Error(`no analyzer named ${name} in the detection table`);
  return row.create(new ChildContext(table, parent, fields));
}

class ChildContext implements AnalyzerContext {
  /** a child begins with its parent's recovered bytes: nothing before them was lost */
  readonly clientStartLost = false;
  readonly serverSentAfterLoss = false;

  constructor(
    private readonly table: readonly DetectionRow[],
    private readonly parent: AnalyzerContext,
    private readonly fields: Fields | undefined,
  ) {}

  get flow() {
    return this.parent.flow;
  }
  get capture() {
    return this.parent.capture;
  }
  get limits() {
    return this.parent.limits;
  }
  get keys() {
    return this.parent.keys;
  }
  get anomalies(): AnomalySink {
    return this.parent.anomalies;
  }

  base(dir: Dir, at: PacketTime): ObservationBase {
    return this.parent.base(dir, at);
  }

  emit(obs: Observation, detail?: ObservationDetail): void {
    this.parent.emit(this.fields === undefined ? obs : ({ ...obs, ...this.fields } as Observation), detail);
  }

  child(name: string, fields?: Fields): Analyzer {
    return createChild(this.table, name, this, fields);
  }
}
