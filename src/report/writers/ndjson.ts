import type { Sink } from '../sink.js';

/** One JSON document per line, written as records arrive (no buffering). */
export class NdjsonWriter<R> {
  constructor(private readonly out: Sink) {}
  write(record: R): void {
    this.out.write(JSON.stringify(record) + '\n');
  }
  end(): void {}
}
