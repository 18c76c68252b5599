import type { Sink } from '../sink.js';
import { safeJson } from '../escape.js';

/** One JSON document per line, handed to the sink as records arrive. */
export class NdjsonWriter<R> {
  constructor(private readonly out: Sink) {}
  write(record: R): void {
    this.out.write(safeJson(record) + '\n');
  }
  end(): void {
    this.out.flush?.();
  }
}
