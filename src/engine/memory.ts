/**
 * A memory governor for long captures. Flows evicted or closed by the million (a SYN flood, a
 * port scan) become old-generation garbage that V8 collects only when its heap has grown far
 * past what is live; the process's peak memory then tracks the garbage, not the state. Every
 * so many packets the governor looks at the heap and, past a soft limit, asks for a full
 * collection, so peak memory tracks what is really held (bounded by limits.ts).
 */
import v8 from 'node:v8';
import vm from 'node:vm';

let collect: (() => void) | null | undefined;

/** V8's collector, made callable without --expose-gc; null where the runtime refuses. */
function collector(): (() => void) | null {
  if (collect !== undefined) return collect;
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as unknown;
    collect = typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    collect = null;
  }
  return collect;
}

/**
 * Bytes in the heap outside the young generation: what only a full collection frees. Short-lived
 * per-packet garbage stays in the young generation, where scavenges already handle it.
 */
function oldGenerationBytes(): number {
  let n = 0;
  for (const s of v8.getHeapSpaceStatistics()) if (s.space_name !== 'new_space') n += s.space_used_size;
  return n;
}

let youngGenerationKept = false;

/**
 * Keeps V8's young generation at its starting size, for the rest of the process. Decryption
 * makes a plaintext buffer per record: a steady stream of short-lived garbage, which V8 answers
 * by growing its young generation towards its maximum (three 32 MB semi-spaces on Node 24). That
 * growth, not what is live, then made the peak: `analyze --keylog` on the 400 MB keyed benchmark
 * capture peaked at 334 MB on Node 24 and at 195 MB with the young generation kept, for ~5 %
 * more CPU time in more frequent scavenges (measured; Node 20 grows it less: 195 → 193 MB).
 * Where V8 refuses the flag, nothing changes.
 */
export function keepYoungGenerationSmall(): void {
  if (youngGenerationKept) return;
  youngGenerationKept = true;
  try {
    v8.setFlagsFromString('--semi-space-growth-factor=1');
  } catch {
    // a runtime without the flag: its own sizing stays
  }
}

const FIRST_LOOK_AFTER_PACKETS = 512;

export class MemoryGovernor {
  private countdown: number;
  /** collect past this heap size: the soft limit, or more when live state is larger */
  private threshold: number;
  /** full collections asked for (for tests and the benchmark) */
  collections = 0;

  constructor(
    private readonly softLimitBytes: number,
    private readonly everyPackets = 16_384,
  ) {
    // The first look comes early: V8 optimises the per-packet path within the first few
    // thousand packets, and a call it has never seen made would undo that code when first made.
    this.countdown = Math.min(everyPackets, FIRST_LOOK_AFTER_PACKETS);
    this.threshold = softLimitBytes;
  }

  /** call once per packet: cheap except every `everyPackets` packets */
  tick(): void {
    if (--this.countdown > 0) return;
    this.countdown = this.everyPackets;
    this.look();
  }

  /** Out of line (called rarely, so V8 does not inline it into the per-packet path). */
  private look(): void {
    if (this.softLimitBytes <= 0 || oldGenerationBytes() < this.threshold) return;
    const gc = collector();
    if (!gc) return;
    gc();
    this.collections++;
    // Collect again once the new garbage could reach half the soft limit, or a quarter of what
    // is live when that is more (with a full flow table, collecting soon frees little). Each
    // forced collection stops the main thread for ~10 ms: a live size close to the soft limit
    // must not mean a collection every few thousand packets.
    const live = oldGenerationBytes();
    this.threshold = Math.max(this.softLimitBytes, live + Math.max(this.softLimitBytes / 2, live * 0.25));
  }
}
