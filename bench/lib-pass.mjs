// One pass of the library over a capture, for the benchmark: `reader` iterates frames only,
// `decode` also decodes every frame down to TCP/UDP. Prints frames and seconds as JSON.
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
await readCapture(file, onFrame, { anomalies, limits, sha256: false });
const s = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(JSON.stringify({ what, frames, transport: tcp, s }));
