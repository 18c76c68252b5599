import { Args } from '@oclif/core';
import { readFileSync } from 'node:fs';
import { LeakscopeCommand } from '../cli/base.js';
import { peel, type PeelLayer } from '../src/inspect/peel.js';
import { createWriter } from '../src/report/writers/index.js';
import { DECODE_SCHEMA, type DecodeRow } from '../src/report/schemas/decode.js';
import { UserError } from '../src/errors.js';

export default class Decode extends LeakscopeCommand {
  static override summary = 'peel a blob layer by layer: url-encoding, form, base64, gzip/zlib, JSON';
  static override description = 'What a researcher does by hand with base64 -d | gunzip | jq, in one command. The blob is an argument, or - for standard input.';
  static override examples = [
    "<%= config.bin %> decode 'data=eyJldmVudCI6InNlYXJjaCIsInF1ZXJ5IjoicG9ybm8ifQ%3D%3D'",
    'tshark -r a.pcap -Y http.request -T fields -e http.file_data | <%= config.bin %> decode -',
  ];
  static override args = { blob: Args.string({ description: 'the payload, or - to read standard input', required: true }) };

  async run(): Promise<PeelLayer[]> {
    const { args, flags } = await this.parse(Decode);
    const limits = this.limitsFrom(flags);
    let input: Uint8Array | string = args.blob;
    if (args.blob === '-') {
      try {
        input = readFileSync(0);
      } catch (err) {
        throw new UserError(`cannot read standard input: ${(err as Error).message}`);
      }
    }
    const layers = peel(input, limits);
    const writer = await createWriter<DecodeRow>(this.outputFormat(flags), this.stdoutSink(flags), DECODE_SCHEMA);
    layers.forEach((l, depth) => writer.write({ depth, chain: l.chain, kind: l.kind, text: l.text ?? (l.json !== undefined ? JSON.stringify(l.json) : null) }));
    writer.end();
    return layers;
  }
}
