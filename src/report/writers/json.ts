import type { Sink } from '../sink.js';
import { safeJson } from '../escape.js';

/**
 * One JSON document. With `single`, exactly one record is printed as an object; otherwise
 * records are collected into an array (or wrapped by `envelope`).
 */
export class JsonWriter<R> {
  private readonly records: R[] = [];
  constructor(private readonly out: Sink, private readonly opts: { single?: boolean; envelope?: (records: R[]) => unknown } = {}) {}
  write(record: R): void {
    this.records.push(record);
  }
  end(): void {
    let doc: unknown;
    if (this.opts.envelope) doc = this.opts.envelope(this.records);
    else if (this.opts.single && this.records.length === 1) doc = this.records[0];
    else doc = this.records;
    this.out.write(safeJson(doc, 2) + '\n');
    this.out.flush?.();
  }
}
