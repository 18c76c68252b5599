import { Args } from '@oclif/core';
import { readFileSync } from 'node:fs';
import { LeakscopeCommand } from '../cli/base.js';
import { peel, type PeelLayer } from '../src/inspect/peel.js';
import { createWriter } from '../src/report/writers/index.js';
import { DECODE_SCHEMA, type DecodeRow } from '../src/report/schemas/decode.js';
import { UserError } from '../src/errors.js';

export default class Decode extends LeakscopeCommand {
  static override summary = 'peel a blob layer by layer: url-encoding, form, base64, gzip/zlib, JSON';
  static override description =
    'What a researcher does by hand with base64 -d | gunzip | jq, in one command. The blob is an argument, or - for standard input: ' +
    'text input is decoded line by line (one blob per line, as `tshark -T fields` prints them; the `line` field says which), binary input (NUL bytes, or not UTF-8) as one blob.';
  static override examples = [
    "<%= config.bin %> decode 'data=eyJldmVudCI6InNlYXJjaCIsInF1ZXJ5IjoicG9ybm8ifQ%3D%3D'",
    'tshark -r a.pcap -Y http.request -T fields -e http.file_data | <%= config.bin %> decode -',
  ];
  static override args = { blob: Args.string({ description: 'the payload, or - to read standard input', required: true }) };

  async run(): Promise<PeelLayer[]> {
    const { args, flags } = await this.parse(Decode);
    const limits = this.limitsFrom(flags);
    let blobs: { line: number | null; input: Uint8Array | string }[] = [{ line: null, input: args.blob }];
    if (args.blob === '-') {
      let input: Buffer;
      try {
        input = readFileSync(0);
      } catch (err) {
        throw new UserError(`cannot read standard input: ${(err as Error).message}`);
      }
      blobs = inputBlobs(input);
    }
    const writer = await createWriter<DecodeRow>(this.outputFormat(flags), this.stdoutSink(flags), DECODE_SCHEMA);
    const all: PeelLayer[] = [];
    for (const { line, input } of blobs) {
      const layers = peel(input, limits);
      layers.forEach((l, depth) =>
        writer.write({ line, depth, chain: l.chain, kind: l.kind, text: l.text ?? (l.json !== undefined ? JSON.stringify(l.json) : null) }),
      );
      all.push(...layers);
    }
    writer.end();
    return all;
  }
}

/**
 * Standard input as blobs: text (UTF-8, no NUL byte) one per non-empty line, numbered from 1
 * (`tshark -e http.file_data` prints one request body per line); anything else one blob.
 */
function inputBlobs(input: Buffer): { line: number | null; input: Uint8Array | string }[] {
  let text: string;
  try {
    if (input.includes(0)) throw new Error('binary');
    text = new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    return [{ line: null, input }];
  }
  const out: { line: number; input: string }[] = [];
  text.split('\n').forEach((l, i) => {
    const line = l.endsWith('\r') ? l.slice(0, -1) : l;
    if (line.trim() !== '') out.push({ line: i + 1, input: line });
  });
  return out;
}
