import { describe, expect, it } from "vitest";
import { settleBounded } from "../../src/lib/concurrency";
import type { Ports } from "../../src/ports";
import { eachSource } from "../../src/transports/each-source";

/**
 * A cron's pull over its sources (SQS queues, Azure Storage Queues): concurrent up to a bound,
 * each within its own deadline, one source's failure or hang never another's result or health.
 */

/** Ports with only source health: what eachSource touches. */
function healthPorts() {
  const errors: Array<{ sourceID: string; message: string }> = [];
  const ports = {
    health: {
      recordError: async (sourceID: string, message: string) => {
        errors.push({ sourceID, message });
      },
    },
  } as unknown as Ports;
  return { ports, errors };
}

const sources = (...ids: string[]) => ids.map((id) => ({ id }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("eachSource", () => {
  it("a source that hangs ends at its deadline, its signal aborted, while the others report their counts", async () => {
    const { ports, errors } = healthPorts();
    let aborted = false;
    const report = await eachSource(
      sources("hangs", "b", "c"),
      ports,
      0,
      (source, signal) => {
        if (source.id !== "hangs") return Promise.resolve(source.id === "b" ? 2 : 3);
        signal.addEventListener("abort", () => {
          aborted = true;
        });
        return new Promise<number>(() => {});
      },
      { deadlineMs: 50 },
    );
    expect(report).toEqual({
      hangs:
        "timeout: the pull of source hangs did not finish within 0.05 s (its deadline in a tick)",
      b: 2,
      c: 3,
    });
    expect(Object.keys(report)).toEqual(["hangs", "b", "c"]);
    expect(aborted).toBe(true);
    expect(errors).toEqual([{ sourceID: "hangs", message: report.hangs }]);
  });

  it("a slow first source does not delay the next: they run at once", async () => {
    const { ports } = healthPorts();
    const finished: string[] = [];
    await eachSource(sources("slow", "fast"), ports, 0, async (source) => {
      await sleep(source.id === "slow" ? 200 : 10);
      finished.push(source.id);
      return 1;
    });
    expect(finished).toEqual(["fast", "slow"]);
  });

  it("one source failing changes neither the others' results nor their health", async () => {
    const { ports, errors } = healthPorts();
    const report = await eachSource(sources("a", "broken", "c"), ports, 0, async (source) => {
      if (source.id === "broken") throw new Error("HTTP 403 AccessDenied");
      return 5;
    });
    expect(report).toEqual({ a: 5, broken: "Error: HTTP 403 AccessDenied", c: 5 });
    expect(errors.map((e) => e.sourceID)).toEqual(["broken"]);
  });

  it("runs at most `concurrency` pulls at once", async () => {
    const { ports } = healthPorts();
    let running = 0;
    let most = 0;
    const report = await eachSource(
      sources("a", "b", "c", "d", "e"),
      ports,
      0,
      async () => {
        most = Math.max(most, ++running);
        await sleep(20);
        running--;
        return 1;
      },
      { concurrency: 2 },
    );
    expect(most).toBe(2);
    expect(Object.values(report)).toEqual([1, 1, 1, 1, 1]);
  });
});

describe("settleBounded", () => {
  it("keeps each outcome in its item's place and never rejects", async () => {
    const out = await settleBounded([30, 0, 10], 2, async (ms) => {
      await sleep(ms);
      if (ms === 0) throw new Error("zero");
      return ms;
    });
    expect(out).toEqual([
      { status: "fulfilled", value: 30 },
      { status: "rejected", reason: new Error("zero") },
      { status: "fulfilled", value: 10 },
    ]);
  });
});
