// One pass of the library over a capture, for the benchmark: `reader` iterates frames only,
// `decode` also decodes every frame down to TCP/UDP. `events-warm` and `analyze-warm` run the
// whole engine (observations serialised as events does; the host report as analyze does) twice
// and time the second pass: the engine once V8 has optimised it, without process start-up and
// JIT warm-up. Prints frames and seconds as JSON.
import { readCapture } from '../dist/src/capture/reader.js';
import { PacketDecoder } from '../dist/src/decode/decoder.js';
import { resolveLimits } from '../dist/src/limits.js';
import { AnomalyLog } from '../dist/src/anomaly.js';

const [what, file] = process.argv.slice(2);
const limits = resolveLimits();
const anomalies = new AnomalyLog();
const decoder = new PacketDecoder(limits, anomalies);
let frames = 0;
let tcp = 0;
const t0 = process.hrtime.bigint();
const onFrame =
  what === 'decode'
    ? (f) => {
        const p = decoder.decode(f.buf, f.linkType, f.tsSec, f.offset, f.offset + f.caplen);
        if (p.transportOk) tcp++;
        frames++;
      }
    : (f) => {
        frames += f.caplen > 0 ? 1 : 0;
      };
let s;
if (what === 'events-warm' || what === 'analyze-warm') {
  const { scanCapture } = await import('../dist/src/engine/scan.js');
  const { analyzeCaptures } = await import('../dist/src/engine/analyze.js');
  const { safeJson } = await import('../dist/src/report/escape.js');
  const pass = async () => {
    // no geolocation: the library's default (a handful of lookups per report in the CLI)
    if (what === 'analyze-warm') return safeJson(await analyzeCaptures([{ name: file, source: file }]), 2).length;
    let chars = 0;
    await scanCapture(file, {
      onObservation: (o) => {
        chars += safeJson(o).length;
      },
      sha256: false,
    });
    return chars;
  };
  await pass();
  const t1 = process.hrtime.bigint();
  await pass();
  s = Number(process.hrtime.bigint() - t1) / 1e9;
} else {
  await readCapture(file, onFrame, { anomalies, limits, sha256: false });
  s = Number(process.hrtime.bigint() - t0) / 1e9;
}
console.log(JSON.stringify({ what, frames, transport: tcp, s }));
