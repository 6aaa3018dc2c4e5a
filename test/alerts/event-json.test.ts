import { describe, expect, it } from "vitest";
import { EventJsonCache } from "../../src/alerts/event-json";

/** The isolate cache of presented events (src/alerts/event-json.ts): bounds and staleness. */
const entry = (n: number) => `{"id":"e${n}","pad":"${"x".repeat(100)}"}`;

describe("EventJsonCache", () => {
  it("keeps what fits its bytes, evicting the least recently used first", () => {
    const one = 2 * ("e0".length + entry(0).length) + 96;
    const cache = new EventJsonCache(3 * one);
    for (const n of [0, 1, 2]) cache.set(`e${n}`, 1, entry(n));
    expect(cache.count).toBe(3);
    expect(cache.bytes).toBe(3 * one);
    // e0 used: e1 is now the oldest, and goes when e3 comes
    expect(cache.held(["e0"])).toEqual([["e0", 1, entry(0)]]);
    cache.set("e3", 1, entry(3));
    expect(cache.held(["e0", "e1", "e2", "e3"]).map(([id]) => id)).toEqual(["e0", "e2", "e3"]);
    expect(cache.bytes).toBe(3 * one);
  });

  it("never holds an entry larger than its bound", () => {
    const cache = new EventJsonCache(100);
    cache.set("big", 1, entry(1));
    expect(cache.count).toBe(0);
    expect(cache.bytes).toBe(0);
  });

  it("replaces an event's entry when rendered from another row, and drops one only for its row", () => {
    const cache = new EventJsonCache(1 << 20);
    cache.set("e1", 1, entry(1));
    cache.set("e1", 2, entry(2));
    expect(cache.held(["e1"])).toEqual([["e1", 2, entry(2)]]);
    // a request that confirmed the row of receivedAt 1 gone leaves the newer entry alone
    cache.delete("e1", 1);
    expect(cache.count).toBe(1);
    cache.delete("e1", 2);
    expect(cache.count).toBe(0);
    expect(cache.bytes).toBe(0);
  });

  it("gives what it held at the time asked, whatever is set or dropped after", () => {
    const cache = new EventJsonCache(1 << 20);
    cache.set("e1", 1, entry(1));
    const held = cache.held(["e1", "e9"]);
    cache.clear();
    expect(held).toEqual([["e1", 1, entry(1)]]);
  });
});
