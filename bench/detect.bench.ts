import { env } from "cloudflare:workers";
import { it } from "vitest";
import { ruleRow } from "../src/catalog";
import { activeRules, forgetRules, matchRows } from "../src/detect/evaluate";
import { prepareRecords } from "../src/pipeline/prepare";
import { d1Rules, putStoredRule } from "../src/store/rules";
import { push } from "../test/helpers";
import { benchEvent, framedBenchEvents } from "./events";

/**
 * Issue 14's budget: evaluating every new event against 50 rules must cost at most 20% of
 * ingest. The starter pack plus runtime rules up to 50 detection rules (turbopuffer rules that
 * match nothing, so every one is evaluated in full); the time of matching 1,000 Turbopuffer rows
 * ÷ the rest of the time of pushing them through the Worker, in the same run.
 */
const report = (name: string, value: string | number) => console.log(`BENCH ${name} ${value}`);

it("detection_overhead_ratio: 50 rules on every new event ÷ push ingest", async () => {
  let active = await activeRules(d1Rules(env.DB));
  for (let i = 0; active.detections.length + i < 50; i++) {
    const id = `bench-rule-${i}`;
    await putStoredRule(env.DB, {
      id,
      title: `bench ${i}`,
      level: "low",
      updatedAt: Date.now(),
      updatedBy: null,
      yaml: `title: bench ${i}\nid: ${id}\nlevel: low\nlogsource:\n  product: turbopuffer\ndetection:\n  selection:\n    eventName|contains: never-${i}\n  sel_actor:\n    actor.email|endswith: '@bench-${i}.invalid'\n  condition: selection or sel_actor\n`,
    });
  }
  forgetRules();
  active = await activeRules(d1Rules(env.DB));
  report("detection_rules_loaded", active.detections.length);

  const framed = framedBenchEvents("turbopuffer", 4_000_000, 1000);
  const source = { id: "turbopuffer", type: "turbopuffer" };
  const { rows } = await prepareRecords(env, source, framed, Date.now());
  matchRows(active, source, rows, ruleRow); // warm up
  let started = performance.now();
  for (let r = 0; r < 10; r++) for (const row of rows) ruleRow(row);
  report(
    "detection_row_us_per_event",
    (((performance.now() - started) * 1000) / (10 * rows.length)).toFixed(1),
  );
  started = performance.now();
  for (let r = 0; r < 10; r++) matchRows(active, source, rows, ruleRow);
  const matchUs = ((performance.now() - started) * 1000) / (10 * rows.length);

  const bodies = Array.from({ length: 5 }, (_, b) =>
    JSON.stringify(
      Array.from({ length: 1000 }, (_, i) => benchEvent("turbopuffer", 5_000_000 + b * 1000 + i)),
    ),
  );
  started = performance.now();
  for (const body of bodies)
    if ((await push("turbopuffer", body)).status !== 200) throw new Error("push failed");
  const pushUs = ((performance.now() - started) * 1000) / 5000;
  report("detection_us_per_event", matchUs.toFixed(1));
  report("push_ingest_us_per_event_with_rules", pushUs.toFixed(1));
  // The push includes the matching: the overhead is over ingest without it.
  report("detection_overhead_ratio", (matchUs / (pushUs - matchUs)).toFixed(3));
});
