import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { knownFields, products } from "../../src/detect/fields";
import { type ReplayEvent, replayCorrelations } from "../../src/detect/replay";
import { parseRules, type Row, type Rule } from "../../src/detect/sigma";

/**
 * The Sigma specification's 9 correlation examples (test/fixtures/sigma, pinned) through the
 * production parser and production's evaluation (src/detect/replay.ts → correlate.ts →
 * windows.ts), with events built per example, in order and out of order. Prints one line per
 * example (`npx vitest run --project unit test/detect/spec-correlations --silent=false`).
 */

const examples = new Map(
  gunzipSync(readFileSync("test/fixtures/sigma/spec-correlations.ndjson.gz"))
    .toString("utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as { path: string; yaml: string })
    .map((f) => [f.path.replace(/^.*\//, "").replace(/\.yml$/, ""), f.yaml]),
);
const report: string[] = [];
afterAll(() => console.log(`Specification correlation examples:\n${report.join("\n")}`));

/** A base rule the example references (not in the specification: windows events, unchecked). */
const base = (ref: string, field: string, value: string | number) =>
  `---\ntitle: ${ref}\n${/^[0-9a-f-]{36}$/.test(ref) ? "id" : "name"}: ${ref}\n` +
  `logsource: {product: windows}\ndetection:\n  sel: {${field}: ${JSON.stringify(value)}}\n  condition: sel\n`;

function load(example: string, ...bases: string[]): Rule[] {
  const yaml = examples.get(example);
  if (yaml === undefined) throw new Error(`no example ${example}`);
  expect(parseRules(yaml, knownFields, products()).length).toBeGreaterThan(0); // alone
  return parseRules(`${yaml.trimEnd()}\n${bases.join("")}`, knownFields, products());
}

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 1);
let n = 0;
const ev = (minute: number, row: Row): ReplayEvent => ({
  id: `e${n++}`,
  time: T0 + minute * MIN,
  row,
});
const shuffle = <T>(xs: T[]) =>
  xs
    .map((x, i) => [((i * 7919) % 101) + i / 1000, x] as const)
    .sort((a, b) => a[0] - b[0])
    .map(([, x]) => x);

/** The alerts the outermost correlation raised: [group, start minute, decided at event #]. */
async function alerts(rules: Rule[], events: ReplayEvent[]) {
  const fired = await replayCorrelations(rules, events);
  return fired
    .filter((f) => f.alerted)
    .map((f) => [f.group, (f.window.start - T0) / MIN, f.arrival + 1]);
}

function record(example: string, what: string) {
  report.push(`  ${example}: parses; ${what}`);
}

describe("the specification's correlation examples", () => {
  it("event_count: ≥ 100 failed logins per ComputerName in 1h", async () => {
    const rules = load(
      "event_count",
      base("5638f7c0-ac70-491d-8465-2a65075e0d86", "EventID", 4625),
    );
    const burst = (k: number, host = "pc1", every = 0.5) =>
      Array.from({ length: k }, (_, i) => ev(i * every, { EventID: 4625, ComputerName: host }));
    expect(await alerts(rules, burst(99))).toEqual([]);
    expect(await alerts(rules, burst(100))).toEqual([["pc1", 0, 100]]);
    expect(await alerts(rules, shuffle(burst(100)))).toEqual([["pc1", 0, 100]]); // any order
    expect(await alerts(rules, burst(100, "pc1", 0.7))).toEqual([]); // 69.3 min: no hour holds 100
    expect(await alerts(rules, [...burst(50, "a"), ...burst(50, "b")])).toEqual([]);
    record(
      "event_count",
      "99 → none, 100 → alert at the 100th, shuffled → same, spread over 70 min → none",
    );
  });

  it("event_count (ECS field dns.question.name)", async () => {
    const rules = load(
      "event_count_ecs",
      base("5638f7c0-ac70-491d-8465-2a65075e0d86", "EventID", 1),
    );
    const q = Array.from({ length: 100 }, (_, i) =>
      ev(i / 10, { EventID: 1, dns: { question: { name: "x.test" } } }),
    );
    expect(await alerts(rules, shuffle(q))).toEqual([["x.test", 0, 100]]);
    record("event_count_ecs", "100 queries for one dotted-field value (shuffled) → one alert");
  });

  it("value_count: ≥ 100 distinct Users per (ComputerName, WorkstationName) in 1d", async () => {
    const rules = load(
      "value_count",
      base("5638f7c0-ac70-491d-8465-2a65075e0d86", "EventID", 4625),
    );
    const row = (u: string | null) => ({
      EventID: 4625,
      ComputerName: "pc",
      WorkstationName: "ws",
      User: u,
    });
    const users = (k: number) => Array.from({ length: k }, (_, i) => ev(i, row(`u${i}`)));
    const key = JSON.stringify(["pc", "ws"]);
    expect(await alerts(rules, shuffle(users(100)))).toEqual([[key, 0, 100]]);
    expect(await alerts(rules, [...users(99), ev(99, row(null)), ev(100, row("u1"))])).toEqual([]);
    record("value_count", "100 distinct users (shuffled) → alert; 99 + a null + a repeat → none");
  });

  it("temporal: recon_cmd_a, b and c by one (ComputerName, User) within 5m, any order", async () => {
    const rules = load("temporal", ...["a", "b", "c"].map((x) => base(`recon_cmd_${x}`, "cmd", x)));
    const cmd = (m: number, c: string, user = "bob") =>
      ev(m, { cmd: c, ComputerName: "pc", User: user });
    const key = JSON.stringify(["pc", "bob"]);
    expect(await alerts(rules, [cmd(0, "c"), cmd(1, "a"), cmd(4, "b")])).toEqual([[key, 0, 3]]);
    expect(await alerts(rules, [cmd(4, "b"), cmd(1, "a"), cmd(0, "c")])).toEqual([[key, 0, 3]]);
    expect(await alerts(rules, [cmd(0, "c"), cmd(1, "a"), cmd(5, "b")])).toEqual([]); // 5m apart
    expect(await alerts(rules, [cmd(0, "c"), cmd(1, "a"), cmd(2, "b", "eve")])).toEqual([]);
    record(
      "temporal",
      "c, a, b in 4 min → alert (also arriving reversed); 5 min apart or another user → none",
    );
  });

  it("temporal_ordered: a then b then c within 5m", async () => {
    const rules = load(
      "temporal_ordered",
      ...["a", "b", "c"].map((x) => base(`recon_cmd_${x}`, "cmd", x)),
    );
    const cmd = (m: number, c: string) => ev(m, { cmd: c, ComputerName: "pc", User: "bob" });
    const key = JSON.stringify(["pc", "bob"]);
    expect(await alerts(rules, [cmd(2, "c"), cmd(0, "a"), cmd(1, "b")])).toEqual([[key, 0, 3]]);
    expect(await alerts(rules, [cmd(0, "c"), cmd(1, "a"), cmd(2, "b")])).toEqual([]);
    record("temporal_ordered", "a, b, c in time order (arriving c first) → alert; c, a, b → none");
  });

  it("value_sum: > 1,000,000 bytes_sent per (SourceIP, User) in 1h, decided when the hour closes", async () => {
    const rules = load("value_sum", base("website_access", "cat", "web"));
    const up = (m: number, bytes: number | null) =>
      ev(m, { cat: "web", SourceIP: "10.0.0.1", User: "u", bytes_sent: bytes });
    const key = JSON.stringify(["10.0.0.1", "u"]);
    const late = up(200, 1);
    expect(await alerts(rules, [up(30, 600_000), up(0, 500_000), up(10, null), late])).toEqual([
      [key, 0, 4],
    ]);
    expect(await alerts(rules, [up(0, 500_000), up(61, 600_000)])).toEqual([]);
    record(
      "value_sum",
      "600k + 500k (+ a null) in the hour → alert once the hour closed; 61 min apart → none",
    );
  });

  it("value_avg: average BytesOut > 500 per (SourceIP, User) in 24h", async () => {
    const rules = load("value_avg", base("rule_a_id", "cat", "net"));
    const out = (m: number, b: number | null) =>
      ev(m, { cat: "net", SourceIP: "10.0.0.2", User: "u", BytesOut: b });
    const key = JSON.stringify(["10.0.0.2", "u"]);
    expect(await alerts(rules, [out(5, 700), out(0, 400), out(9, null)])).toEqual([[key, 0, 3]]);
    expect(await alerts(rules, [out(0, 400), out(5, 500)])).toEqual([]);
    record("value_avg", "avg(400, 700) = 550 → alert at close (null ignored); avg 450 → none");
  });

  it("value_percentile: the spec's Image ≤ 1 has no numbers; numeric values use nearest rank", async () => {
    const rules = load("value_percentile", base("process_creation", "cat", "proc"));
    const p = (m: number, image: string | number) =>
      ev(m, { cat: "proc", ComputerName: "pc", Image: image });
    expect(await alerts(rules, [p(0, "C:\\a.exe"), p(1, "C:\\b.exe")])).toEqual([]);
    expect(await alerts(rules, [p(0, 1), p(1, 1), p(2, 9)])).toEqual([["pc", 0, 3]]); // median 1
    expect(await alerts(rules, [p(0, 1), p(1, 9), p(2, 9)])).toEqual([]); // median 9
    record(
      "value_percentile",
      "text values → none (not numbers); median (nearest rank) of 1, 1, 9 ≤ 1 → alert",
    );
  });

  it("chained: ≥ 10 failed logins then a successful login by one User within 10m", async () => {
    const rules = load("sigma-correlation-rules-specification.md#example");
    const login = (m: number, id: number, user = "alice") => ev(m, { EventID: id, User: user });
    const fails = (k: number) => Array.from({ length: k }, (_, i) => login(i * 0.5, 4625));
    const outer = "b180ead8-d58f-40b2-ae54-c8940995b9b6";
    expect(await alerts(rules, [...fails(10), login(6, 4624)])).toEqual([["alice", 4.5, 11]]);
    expect(await alerts(rules, [login(6, 4624), ...shuffle(fails(10))])).toEqual([
      ["alice", 4.5, 11],
    ]);
    expect(
      await alerts(rules, [
        login(0, 4624),
        ...fails(10).map((e) => ({ ...e, time: e.time + MIN })),
      ]),
    ).toEqual([]);
    expect(await alerts(rules, [...fails(9), login(6, 4624)])).toEqual([]);
    expect(await alerts(rules, [...fails(10), login(6, 4624, "bob")])).toEqual([]);
    const fired = await replayCorrelations(rules, [...fails(10), login(6, 4624)]);
    expect(fired.map((f) => [f.ruleId === outer, f.alerted])).toEqual([
      [false, false],
      [true, true],
    ]);
    record(
      "example (chained)",
      "10 failures then success → one alert (also success first, failures shuffled); success before, 9 failures, other user → none; the inner correlation does not alert",
    );
  });
});
