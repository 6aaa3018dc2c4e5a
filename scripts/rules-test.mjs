#!/usr/bin/env node
// The starter rules against their test events (`npm run rules:test`, rules/README.md): every
// rules/<id>.yml parsed as the Worker parses it, every event of rules/<id>.test.json normalized
// by its vendor's normalizer into the row a rule sees (toRow → presentRow → ruleRow), then
// matched. Correlations are replayed over their `sequences`. One line per rule file; exit 1 on
// any failure, on a rule file without a test file and on a test file without a rule file.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { importWorkerCode, root } from "./lib/import-worker-code.mjs";

const mod = await importWorkerCode(`export { parseRules, fieldValue } from "./src/detect/sigma.ts";
  export { replayCorrelations } from "./src/detect/replay.ts";
  export { knownFields, ruleRow, products } from "./src/detect/fields.ts";
  export { normalizerFor, findVendor } from "./src/vendors/index.ts";
  export { toRow } from "./src/store/rows.ts";
  export { present as presentRow } from "./src/catalog.ts";`);

const RULES_DIR = join(root, "rules");
/** receivedAt of every test row (the rules look at event fields, not at arrival). */
const RECEIVED_AT = Date.UTC(2026, 8, 1);

class TestError extends Error {}

const describeEvent = (e) => {
  const s = JSON.stringify(e);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
};

/** A raw vendor event → the row rules see, exactly as the pipeline and GET /v1/logs build it. */
async function ruleRowOf(product, event, where) {
  if (event === null || typeof event !== "object" || Array.isArray(event)) {
    throw new TestError(`${where}: not a JSON object`);
  }
  const normalizer = mod.normalizerFor(product);
  const raw = JSON.stringify(event);
  if (!normalizer.isEvent(event)) {
    throw new TestError(
      `${where}: not an event for ${product} (isEvent false): ${describeEvent(event)}`,
    );
  }
  const out = normalizer.normalize({ value: event, raw });
  if (!out.ok) {
    throw new TestError(`${where}: does not normalize (${out.code}: ${out.message})`);
  }
  const source = { id: `${product}-test`, type: product };
  const view = mod.findVendor(product)?.view;
  const row = mod.toRow(source, out.event, RECEIVED_AT, view ? { view, parsed: event } : undefined);
  return mod.ruleRow(mod.presentRow(row));
}

/** The product the file's events come from: the test file's `product`, else its rules'. */
function productOf(test, detections) {
  if (typeof test.product === "string") return test.product;
  const products = [...new Set(detections.map((r) => r.product))];
  if (products.length === 1 && products[0] !== null) return products[0];
  throw new TestError(
    `cannot tell the vendor of the test events (rules' products: ${products.join(", ") || "none"}); set "product" in the test file`,
  );
}

/** The sequences of a test file: `sequences: [...]`, or one top-level `sequence`. */
function sequencesOf(test) {
  const list = [];
  if (test.sequence !== undefined) {
    list.push({
      events: test.sequence,
      expectAlertAt: test.expectAlertAt,
      correlation: test.correlation,
    });
  }
  if (test.sequences !== undefined) {
    if (!Array.isArray(test.sequences)) throw new TestError(`"sequences" is not an array`);
    list.push(...test.sequences);
  }
  return list.map((s, i) => {
    const name = s.description ? `sequence ${i + 1} (${s.description})` : `sequence ${i + 1}`;
    if (!Array.isArray(s.events ?? s.sequence)) throw new TestError(`${name}: no "events" array`);
    const at = s.expectAlertAt;
    if (!(at === null || (Number.isInteger(at) && at >= 1))) {
      throw new TestError(`${name}: "expectAlertAt" must be a 1-based position or null`);
    }
    return { name, events: s.events ?? s.sequence, expectAlertAt: at, correlation: s.correlation };
  });
}

/**
 * Replays the file's rules over rows in arrival order with production's correlation evaluation
 * (src/detect/correlate.ts over memory, src/detect/replay.ts): windows decided whatever order
 * the rows came in, upper-bound ones once event time has passed their end. Returns the 1-based
 * position of the row whose arrival made the correlation's first window fire, or null.
 */
async function firstAlert(correlation, rules, rows) {
  const events = rows.map((row, i) => ({
    id: typeof row.id === "string" ? row.id : `row-${i}`,
    time: Date.parse(row.eventTime),
    row,
  }));
  const fired = await mod.replayCorrelations(rules, events);
  const first = fired.find((f) => f.ruleId === correlation.id);
  return first === undefined ? null : first.arrival + 1;
}

async function checkFile(id) {
  const text = readFileSync(join(RULES_DIR, `${id}.yml`), "utf8");
  let rules;
  try {
    rules = mod.parseRules(text, mod.knownFields, mod.products());
  } catch (err) {
    throw new TestError(`does not parse: ${err.message}`);
  }
  if (rules.length === 0) throw new TestError("no rule in the file");
  if (!rules.some((r) => r.id === id)) {
    throw new TestError(`no rule has the file's id (ids: ${rules.map((r) => r.id).join(", ")})`);
  }
  let test;
  try {
    test = JSON.parse(readFileSync(join(RULES_DIR, `${id}.test.json`), "utf8"));
  } catch (err) {
    throw new TestError(
      err.code === "ENOENT" ? `no test file rules/${id}.test.json` : `test file: ${err.message}`,
    );
  }
  const detections = rules.filter((r) => r.kind === "detection");
  const correlations = rules.filter((r) => r.kind === "correlation");
  const failures = [];
  const counts = [];

  if (detections.length > 0) {
    const product = productOf(test, detections);
    const match = test.match ?? [];
    const noMatch = test.noMatch ?? [];
    if (!Array.isArray(match) || match.length === 0) {
      failures.push(`"match" needs at least one event`);
    }
    if (!Array.isArray(noMatch) || noMatch.length === 0) {
      failures.push(`"noMatch" needs at least one event`);
    }
    for (const [list, want] of [
      [match, true],
      [noMatch, false],
    ]) {
      if (!Array.isArray(list)) continue;
      for (let i = 0; i < list.length; i++) {
        const where = `${want ? "match" : "noMatch"}[${i}]`;
        const row = await ruleRowOf(product, list[i], where);
        const hits = detections
          .map((r) => ({ r, why: r.match(row) }))
          .filter((h) => h.why !== null);
        if (want && hits.length === 0) {
          failures.push(`${where} (${row.eventName}) matched no rule`);
        }
        // A dedup field empty on a matching event would fold unrelated alerts together.
        for (const { r } of want ? hits : []) {
          const empty = r.dedup.filter((f) => (mod.fieldValue(row, f) ?? null) === null);
          if (empty.length > 0) {
            failures.push(`${where}: ${r.id}'s dedup field ${empty.join(", ")} is empty`);
          }
        }
        if (!want && hits.length > 0) {
          const why = hits.map((h) => `${h.r.id}: ${h.why.join("; ")}`).join(" | ");
          failures.push(`${where} (${row.eventName}) matched ${why}`);
        }
      }
    }
    counts.push(`${match.length} match`, `${noMatch.length} no match`);
  }

  if (correlations.length > 0) {
    const sequences = sequencesOf(test);
    if (sequences.length === 0) failures.push(`a correlation needs at least one sequence`);
    const alerts = [];
    for (const seq of sequences) {
      const correlation =
        seq.correlation === undefined
          ? (correlations.find((c) => c.id === id) ?? correlations[0])
          : correlations.find((c) => c.id === seq.correlation);
      if (!correlation) {
        failures.push(`${seq.name}: no correlation "${seq.correlation}" in the file`);
        continue;
      }
      const referenced = correlation.rules.map((ref) => {
        const r = rules.find((d) => d.id === ref || d.name === ref);
        if (!r) throw new TestError(`${correlation.id}: rule "${ref}" is not in the file`);
        return r;
      });
      const product = productOf(
        test,
        referenced.filter((r) => r.kind === "detection"),
      );
      const rows = [];
      for (let i = 0; i < seq.events.length; i++) {
        rows.push(await ruleRowOf(product, seq.events[i], `${seq.name} event ${i + 1}`));
      }
      const got = await firstAlert(correlation, rules, rows);
      alerts.push(got === null ? "none" : `alert at ${got}`);
      if (got !== seq.expectAlertAt) {
        const want =
          seq.expectAlertAt === null ? "no alert" : `an alert at event ${seq.expectAlertAt}`;
        const saw = got === null ? "none" : `the first at event ${got}`;
        failures.push(`${seq.name}: expected ${want}, got ${saw}`);
      }
    }
    counts.push(
      `${sequences.length} sequence${sequences.length === 1 ? "" : "s"} (${alerts.join(", ")})`,
    );
  }
  if (failures.length > 0) throw new TestError(failures.join("; "));
  return counts.join(", ");
}

const files = readdirSync(RULES_DIR);
const ids = files.filter((f) => f.endsWith(".yml")).map((f) => f.slice(0, -4));
const orphans = files
  .filter((f) => f.endsWith(".test.json"))
  .map((f) => f.slice(0, -".test.json".length))
  .filter((id) => !ids.includes(id));
const misnamed = files.filter((f) => f.endsWith(".yaml"));

let passed = 0;
let failed = 0;
for (const id of ids.sort()) {
  try {
    console.log(`ok ${id}: ${await checkFile(id)}`);
    passed++;
  } catch (err) {
    if (!(err instanceof TestError)) throw err;
    failed++;
    console.log(`FAIL ${id}: ${err.message}`);
  }
}
for (const id of orphans) {
  failed++;
  console.log(`FAIL ${id}: rules/${id}.test.json has no rules/${id}.yml`);
}
for (const f of misnamed) {
  failed++;
  console.log(`FAIL ${f}: rule files end in .yml`);
}
if (ids.length === 0) {
  failed++;
  console.log("FAIL: no rules/*.yml");
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
