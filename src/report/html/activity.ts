/**
 * When each host was asked for something: the times of HTTP requests and of TLS/QUIC
 * ClientHellos (a connection's first request, even when what follows is encrypted), collected
 * from the observations while a capture is analysed, for the HTML report's timeline. The JSON
 * report does not carry them; the timeline draws them binned, so its size does not grow with them.
 */
import { normaliseHost } from '../../hostname.js';
import type { Observation } from '../../engine/observations.js';
import { timestampUs } from '../../engine/windows.js';

export class RequestActivity {
  private readonly times = new Map<string, number[]>();
  /** requests past the per-host cap, per host: counted, not timed */
  readonly dropped = new Map<string, number>();

  constructor(private readonly maxPerHost: number) {}

  /** Takes an observation (the analyze pipeline's callback); ignores all but requests. */
  readonly observe = (obs: Observation): void => {
    if (obs.type === 'http') this.add(obs.host ? normaliseHost(obs.host) : obs.dst, obs.ts);
    else if (obs.type === 'tls' || obs.type === 'quic') for (const n of obs.server_names) this.add(normaliseHost(n), obs.ts);
  };

  private add(host: string, ts: string): void {
    let list = this.times.get(host);
    if (!list) this.times.set(host, (list = []));
    if (list.length >= this.maxPerHost) {
      this.dropped.set(host, (this.dropped.get(host) ?? 0) + 1);
      return;
    }
    list.push(timestampUs(ts));
  }

  /** The request times of a host, microseconds since the epoch (unsorted). */
  of(host: string): readonly number[] {
    return this.times.get(host) ?? [];
  }
}
