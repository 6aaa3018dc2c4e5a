import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { it } from "vitest";
import worker from "../src/index";
import { BASE, QUERY_TOKEN } from "../test/helpers";
import { QUERY_T0, storeQueryRows } from "./events";

/**
 * What the explorer asks for on every search, over 100,000 stored events: the histogram and
 * the facets, sent together as the page does; p50 and p95 of the pair. Three filters: none (all
 * 100k rows, range from the data), one source over a day, and free text over everything.
 */
const EVENTS = 100_000;
const report = (name: string, value: string | number) => console.log(`BENCH ${name} ${value}`);
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
};

async function get(path: string): Promise<void> {
  const ctx = createExecutionContext();
  const req = new Request(`${BASE}${path}`, {
    headers: { authorization: `Bearer ${QUERY_TOKEN}` },
  });
  const res = await worker.fetch(req, env, ctx);
  await res.arrayBuffer();
  await waitOnExecutionContext(ctx);
  if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
}

it("histogram + facets p50 over 100k stored events", async () => {
  await storeQueryRows(env, EVENTS);

  const day = (d: number) => new Date(QUERY_T0 + d * 86_400_000).toISOString();
  const filters: Record<string, Record<string, string>> = {
    all: {},
    source_day: { sourceID: "q1", from: day(0), to: day(1) },
    text: { q: "api-key-deleted" },
  };
  for (const [name, params] of Object.entries(filters)) {
    const qs = new URLSearchParams(params);
    const times: number[] = [];
    const until = performance.now() + 8000;
    for (let r = 0; r < 25 && (r < 6 || performance.now() < until); r++) {
      const t = performance.now();
      await Promise.all([get(`/v1/logs/histogram?${qs}`), get(`/v1/logs/facets?${qs}`)]);
      if (r >= 2) times.push(performance.now() - t);
    }
    report(`explore_p50_ms ${name}`, percentile(times, 50).toFixed(1));
    report(`explore_p95_ms ${name}`, percentile(times, 95).toFixed(1));
  }
});
