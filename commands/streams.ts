import { Args, Flags } from '@oclif/core';
import { LeakscopeCommand } from '../cli/base.js';
import { KEY_FLAGS, keyStoreFromFlags } from '../cli/keys.js';
import { scanCapture } from '../src/engine/scan.js';
import { streamRecord, type StreamRecord } from '../src/engine/streams.js';
import { createWriter } from '../src/report/writers/index.js';
import { STREAM_SCHEMA } from '../src/report/schemas/stream.js';
import { Progress } from '../src/report/progress.js';

export default class Streams extends LeakscopeCommand {
  static override summary = 'list TCP streams: endpoints, time span, packets and bytes each way, Zeek-style history, missed bytes, protocol';
  static override description =
    "History letters as in Zeek's conn.log (client upper case, server lower case): S syn, H syn-ack, A ack, D data, F fin, R rst, G/g gap, T/t retransmission. " +
    "With --dump DIR, each direction's reassembled bytes are written to their own file, named like tcpflow's.";
  static override examples = [
    '<%= config.bin %> streams fixtures/captures/mi_browser_demo.pcap',
    '<%= config.bin %> streams phone.pcap --dump /tmp/flows --format ndjson',
  ];
  static override strict = false;
  static override args = { capture: Args.string({ description: 'capture file(s), or - for standard input', required: true }) };
  static override flags = {
    udp: Flags.boolean({ summary: 'also list UDP flows' }),
    dump: Flags.string({ summary: 'write reassembled bytes of each direction into this folder' }),
    ...KEY_FLAGS,
  };

  async run(): Promise<{ streams: number }> {
    const { argv, flags } = await this.parse(Streams);
    const limits = this.limitsFrom(flags);
    const keyStore = keyStoreFromFlags(flags, limits);
    const writer = await createWriter<StreamRecord>(this.outputFormat(flags), this.stdoutSink(flags), {
      ...STREAM_SCHEMA,
      table: { footer: () => this.captureNotes },
    });
    let count = 0;
    const exit = await this.eachCapture(argv as string[], flags, async (source, name, stop) => {
      const progress = new Progress(name, { quiet: flags.quiet });
      const res = await scanCapture(source, {
        name,
        sha256: false,
        limits,
        stop,
        keyStore,
        dumpDir: flags.dump,
        onFlowClose: (flow, extra) => {
          if (flow.proto === 'udp' && !flags.udp) return;
          writer.write(streamRecord(name, flow, extra));
          count++;
        },
        onProgress: (d, t) => progress.update(d, t),
      });
      progress.done();
      return { ...res.read, notDecoded: res.notDecoded };
    });
    writer.end();
    if (exit) this.exit(exit);
    return { streams: count };
  }
}
