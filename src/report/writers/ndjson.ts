import type { Sink } from '../sink.js';
import { safeJson } from '../escape.js';

/** One JSON document per line, written as records arrive (no buffering). */
export class NdjsonWriter<R> {
  constructor(private readonly out: Sink) {}
  write(record: R): void {
    this.out.write(safeJson(record) + '\n');
  }
  end(): void {}
}
