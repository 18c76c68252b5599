/**
 * A bounded memo for pure functions of a string that a capture calls with the same few inputs
 * over and over (one User-Agent, a handful of hosts, the same TLS fingerprint lists). When full
 * it starts over rather than tracking recency: the inputs that matter come right back.
 */
export class StringMemo<V> {
  private readonly map = new Map<string, V>();

  constructor(
    private readonly compute: (key: string) => V,
    private readonly maxEntries = 1024,
  ) {}

  get(key: string): V {
    let v = this.map.get(key);
    if (v === undefined && !this.map.has(key)) {
      v = this.compute(key);
      if (this.map.size >= this.maxEntries) this.map.clear();
      this.map.set(key, v);
    }
    return v as V;
  }
}
