import { Args, Flags } from '@oclif/core';
import { LeakscopeCommand } from '../cli/base.js';
import { resolveName } from '../cli/names.js';
import { KEY_FLAGS, keyStoreFromFlags } from '../cli/keys.js';
import { scanCapture } from '../src/engine/scan.js';
import { OBSERVATION_TYPES, type Observation, type ObservationType } from '../src/engine/observations.js';
import { createWriter } from '../src/report/writers/index.js';
import { EVENT_SCHEMA } from '../src/report/schemas/event.js';
import { Progress } from '../src/report/progress.js';

export default class Events extends LeakscopeCommand {
  static override summary = 'list every observation: TLS and QUIC ClientHellos, HTTP requests and responses, DNS answers';
  static override description =
    "One record per observation, in the order they complete. `frame` is the 1-based packet that completed it (tshark's frame.number).";
  static override examples = [
    '<%= config.bin %> events fixtures/captures/mi_browser_demo.pcap --format ndjson',
    '<%= config.bin %> events phone.pcap --type tls --type quic --format csv',
  ];
  static override strict = false;
  static override args = { capture: Args.string({ description: 'capture file(s), or - for standard input', required: true }) };
  static override flags = {
    type: Flags.string({
      multiple: true,
      multipleNonGreedy: true,
      delimiter: ',',
      summary: `only these record types (repeat the flag, or a comma-separated list; any letter case): ${OBSERVATION_TYPES.join(', ')}`,
    }),
    ...KEY_FLAGS,
  };

  async run(): Promise<{ events: number }> {
    const { argv, flags } = await this.parse(Events);
    const limits = this.limitsFrom(flags);
    const keyStore = keyStoreFromFlags(flags, limits);
    const wanted = new Set<ObservationType>(
      flags.type
        ? flags.type.map(
            (t) =>
              resolveName(
                '--type',
                t,
                OBSERVATION_TYPES.map((name) => ({ name })),
              ) as ObservationType,
          )
        : OBSERVATION_TYPES,
    );
    const writer = await createWriter<Observation>(this.outputFormat(flags), this.stdoutSink(flags), {
      ...EVENT_SCHEMA,
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
        onObservation: (obs) => {
          if (!wanted.has(obs.type)) return;
          writer.write(obs);
          count++;
        },
        onProgress: (d, t) => progress.update(d, t),
      });
      progress.done();
      return { ...res.read, notDecoded: res.notDecoded };
    });
    writer.end();
    if (exit) this.exit(exit);
    return { events: count };
  }
}
