import type { Sink } from '../sink.js';
import { safeJson } from '../escape.js';

/** A JSON document whose records sit in one array member: `{ ...head(), [key]: [records] }`. */
export interface JsonEnvelope {
  /** members printed before the records, in order (called once, at the first record or at the end) */
  head: () => Record<string, unknown>;
  /** name of the member holding the records */
  key: string;
}

/**
 * One JSON document, printed as `JSON.stringify(doc, null, 2)` would print it, but streamed:
 * each record is serialised when it is written and only its text is handed on, so neither
 * the records (`events` on a long capture) nor the whole document's text (a large report)
 * are held at once. With `single`, exactly one record is printed as an object; otherwise the
 * records form an array, inside `envelope` when one is given.
 */
export class JsonWriter<R> {
  private elements = 0;
  /** `single`: the first record's text, held until a second record or the end decides the shape */
  private held: string | null = null;

  constructor(
    private readonly out: Sink,
    private readonly opts: { single?: boolean; envelope?: JsonEnvelope } = {},
  ) {}

  write(record: R): void {
    const text = safeJson(record, 2);
    if (this.opts.single && this.elements === 0) {
      if (this.held === null) {
        this.held = text;
        return;
      }
      this.emit(this.held);
      this.held = null;
    }
    this.emit(text);
  }

  end(): void {
    if (this.held !== null) this.out.write(this.held + '\n');
    else if (this.elements === 0) this.out.write(this.opening() + ']' + this.closing() + '\n');
    else this.out.write('\n' + this.indent.slice(2) + ']' + this.closing() + '\n');
    this.out.flush?.();
  }

  /** element indentation: 2 spaces in a top-level array, 4 inside an envelope's member */
  private get indent(): string {
    return this.opts.envelope ? '    ' : '  ';
  }

  private emit(text: string): void {
    const indent = this.indent;
    // JSON.stringify escapes newlines inside strings: every raw newline is between tokens
    const element = indent + text.replaceAll('\n', '\n' + indent);
    this.out.write((this.elements++ === 0 ? this.opening() + '\n' : ',\n') + element);
  }

  /** everything before the array's first element: `[`, or the envelope's head and `"key": [` */
  private opening(): string {
    const env = this.opts.envelope;
    if (!env) return '[';
    const head = safeJson(env.head(), 2);
    const members = head === '{}' ? '{\n' : head.slice(0, -2) + ',\n';
    return members + '  ' + JSON.stringify(env.key) + ': [';
  }

  private closing(): string {
    return this.opts.envelope ? '\n}' : '';
  }
}
