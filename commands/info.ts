import { Args } from '@oclif/core';
import { LeakscopeCommand } from '../cli/base.js';
import { KEY_FLAGS, keyStoreFromFlags } from '../cli/keys.js';
import { captureInfo, type InfoRecord } from '../src/engine/info.js';
import { createWriter } from '../src/report/writers/index.js';
import { INFO_SCHEMA } from '../src/report/schemas/info.js';
import { Progress } from '../src/report/progress.js';

export default class Info extends LeakscopeCommand {
  static override summary = 'describe captures: format, link types, packets, bytes, time span, SHA-256, layers, anomalies';
  static override description =
    'Like capinfos. Reads pcap and pcapng (also gzip-compressed) from files or standard input (-). ' +
    'Exits 2 when a file is not a capture, 3 when a capture is damaged (everything before the damage is still reported).';
  static override examples = [
    '<%= config.bin %> info fixtures/captures/mi_browser_demo.pcap',
    '<%= config.bin %> info phone.pcapng --format json',
    'tcpdump -w - | <%= config.bin %> info -',
  ];
  static override strict = false;
  static override args = { capture: Args.string({ description: 'capture file(s), or - for standard input', required: true }) };
  static override flags = { ...KEY_FLAGS };

  async run(): Promise<InfoRecord[]> {
    const { argv, flags } = await this.parse(Info);
    const limits = this.limitsFrom(flags);
    const keyStore = keyStoreFromFlags(flags, limits);
    const writer = await createWriter<InfoRecord>(this.outputFormat(flags), this.stdoutSink(flags), {
      ...INFO_SCHEMA,
      jsonSingle: argv.length === 1,
      table: { vertical: true },
    });
    const records: InfoRecord[] = [];
    const exit = await this.eachCapture(argv as string[], flags, async (source, name, stop) => {
      const progress = new Progress(name, { quiet: flags.quiet });
      const rec = await captureInfo(source, { name, limits, stop, keyStore, onProgress: (d, t) => progress.update(d, t) });
      progress.done();
      writer.write(rec);
      records.push(rec);
      return { damage: rec.damage, frames: rec.packets, interrupted: rec.interrupted, notDecoded: rec.not_decoded };
    });
    writer.end();
    if (exit) this.exit(exit);
    return records;
  }
}
