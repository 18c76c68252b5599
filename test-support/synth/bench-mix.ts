/**
 * What the plain and the keyed benchmark captures share (synth/bench-capture.ts,
 * keyed-bench.ts): the hosts their rounds talk to and the deterministic generator that picks
 * ports, sizes and orders, so that both write the same bytes on every run.
 */

/** Xiaomi and Sensors Data collectors the telemetry goes to */
export const VENDOR_HOSTS = [
  'tracking.intl.miui.com',
  'data.mistat.intl.xiaomi.com',
  'sa.api.intl.miui.com',
  'api.ad.intl.xiaomi.com',
  'sdkdebugtest.datasink.sensorsdata.cn',
];
/** hosts the downloads come from */
export const BENIGN_HOSTS = ['www.example.com', 'en.wikipedia.org', 'duckduckgo.com', 'cdn.example.net', 'api.example.org', 'static.example.com'];

/** xorshift32: the same sequence on every run */
export class Rng {
  constructor(private x: number) {}
  next(): number {
    let x = this.x;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.x = x >>> 0;
    return this.x;
  }
  below(n: number): number {
    return this.next() % n;
  }
}
