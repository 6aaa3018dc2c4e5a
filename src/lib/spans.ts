/**
 * Timing spans of one ingest (issue 27's profile of a push): milliseconds per stage, summed
 * when a stage runs more than once, and counts (statements per kind, matches). Off by default:
 * `noSpans` costs one call per stage. A Worker with the var `PROFILE_SPANS=true` logs one
 * `spans {json}` line per commit (src/pipeline/ingest.ts); `node scripts/bench-push-http.mjs`
 * reads them from wrangler's log and prints the breakdown of one push.
 *
 * The clock is the Worker's `performance.now()`: in workerd it advances with CPU work only
 * where the runtime lets it (local dev and tests do; production freezes it between I/O).
 */
export interface Spans {
  /** Runs `fn`, adding its time to `name`. */
  time<T>(name: string, fn: () => T): T;
  /** Adds `ms` to `name` (a stage timed by hand, e.g. the time spent pulling an iterator). */
  add(name: string, ms: number): void;
  /** Adds `n` to the count `name`. */
  count(name: string, n: number): void;
  readonly enabled: boolean;
}

class Recorder implements Spans {
  readonly enabled = true;
  readonly ms: Record<string, number> = {};
  readonly counts: Record<string, number> = {};
  private readonly started = performance.now();

  time<T>(name: string, fn: () => T): T {
    const t = performance.now();
    const out = fn();
    if (out instanceof Promise)
      return out.finally(() => this.add(name, performance.now() - t)) as T;
    this.add(name, performance.now() - t);
    return out;
  }

  add(name: string, ms: number): void {
    this.ms[name] = (this.ms[name] ?? 0) + ms;
  }

  count(name: string, n: number): void {
    this.counts[name] = (this.counts[name] ?? 0) + n;
  }

  /** The spans as one log line's JSON, times rounded to 0.01 ms. */
  toJSON() {
    const round = (o: Record<string, number>) =>
      Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Math.round(v * 100) / 100]));
    return {
      total: Math.round((performance.now() - this.started) * 100) / 100,
      ms: round(this.ms),
      counts: this.counts,
    };
  }
}

export const noSpans: Spans = {
  enabled: false,
  time: (_name, fn) => fn(),
  add: () => {},
  count: () => {},
};

/** A recorder when `on`, else `noSpans`. */
export const spans = (on: boolean): Spans & { toJSON?: () => unknown } =>
  on ? new Recorder() : noSpans;
