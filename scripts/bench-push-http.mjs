#!/usr/bin/env node
// Push ingest the way a vendor feels it (issue 27): batches of 1,000 distinct Turbopuffer events
// POSTed to a real `wrangler dev` (e2e/server.mjs: its own state, local D1), then the very same
// rows (the Worker's own normalizer and row code) inserted into better-sqlite3 with the same
// schema (migrations/*.sql, a file on disk, WAL, one transaction), in the same run.
//
// Four scenarios, each on its own Worker with a fresh local D1: without alert destinations, and
// sending alerts to a webhook receiver of this process (DESTINATIONS, as `npm start` does); each
// with the starter pack, and with the starter pack + 50 runtime rules (turbopuffer rules that
// match nothing, so each is evaluated in full). "Matching" pushes have a quarter of their events
// `invitation-created` (the starter rule "turbopuffer invitation created" matches them; alerts
// dedup by actor: 25 actors); "plain" ones none. After 3 warm-ups:
// 1. the issue's method: 20 matching pushes in a row on the fresh D1, then (below) the very same
//    rows (the first scenario's) inserted into raw SQLite:
//   push_http_events_per_s <scenario>      the matching pushes' events per second
//   push_http_ratio <scenario>             ÷ sqlite_http_insert_rows_per_s (goal ≥ 0.25)
//   push_http_ms <scenario> matching       the median push's milliseconds
// 2. what detections cost: blocks of 11 matching or 11 plain pushes in the order M P P M,
//    BENCH_BLOCKS of them (12), the first push of each not counted and the server left to settle
//    after each (the deferred outbox write; the deliveries), so each kind is measured in steady
//    state with the table's growth weighing on both alike:
//   detection_cost_ratio <scenario>        matching pushes' time ÷ plain pushes' time − 1 (goal ≤ 0.2)
//   detection_cost_ratio_median <scenario> the same from the median push of each kind
//   detection_cpu_cost_ratio[_workerd] <scenario>  the same from the server's CPU over each block
//                                          and its settling (what a push left running included),
//                                          all of it or workerd's alone (Linux)
//   push_http_cpu_ms_per_push[_workerd|_wrangler] <scenario> matching|plain   that CPU per push
//   push_http_ms <scenario> block_matching|block_plain  the median push of each kind
//   push_http_floor_ms <scenario> refused_body|healthz   what `wrangler dev` alone costs a request:
//                                          the same size of body refused (401) before the Worker
//                                          reads it, and a GET /healthz (medians)
//   push_http_ceiling_ratio <scenario>     push_http_ratio with no Worker code at all: BATCH events
//                                          in a matching push's D1 batch (its spans) plus the
//                                          refused body's time, ÷ the same raw SQLite
// and, with PROFILE_SPANS=true in the Worker (src/lib/spans.ts), the mean breakdown of one
// matching push and of one plain push of the blocks, their first pushes included
// (`push_profile_ms <scenario>[/plain] <stage> <ms>`).
//
// `node scripts/bench-push-http.mjs [REPO] [--quick]`: REPO defaults to this checkout (another
// checkout, e.g. a `git worktree` of an older commit, compares back to back; it needs the
// `vars` option of e2e/server.mjs); --quick runs only the destinations + 50 rules scenario;
// BENCH_PUSHES=n sets the matching pushes of step 1 (20), BENCH_BLOCKS=n the blocks of step 2.
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  freshDatabase,
  insertRate,
  loadSqlite,
  rowInserter,
  turbopufferRows,
} from "./lib/sqlite-baseline.mjs";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const root =
  args.find((a) => !a.startsWith("--")) ?? join(dirname(fileURLToPath(import.meta.url)), "..");
const { startServer } = await import(`${root}/e2e/server.mjs`);
const PUSHES = Number(process.env.BENCH_PUSHES ?? 20);
/** The detection-cost blocks: how many (M P P M …), and pushes in each (the first not counted). */
const BLOCKS = Number(process.env.BENCH_BLOCKS ?? 12);
// M P P M weighs the table's growth alike on both kinds only in whole groups of four
if (!(BLOCKS >= 4 && BLOCKS % 4 === 0)) throw new Error("BENCH_BLOCKS: a multiple of 4");
const BLOCK = 11;
const BATCH = 1000;

let n = 0;
/** A batch of distinct events; `matching`: a quarter of them are invitation-created. */
const batch = (matching) =>
  Array.from({ length: BATCH }, () => {
    const i = n++;
    return {
      action: matching && i % 4 === 0 ? "invitation-created" : "session-created",
      occurred_at: new Date(Date.now() - 3600_000 + (i % 3600_000)).toISOString(),
      actor: { type: "user", id: `u${i % 50}`, name: `user${i % 50}@example.com` },
      targets: [{ type: "session", id: `sess_${i}`, name: `sess_${i}` }],
      context: { location: `203.0.113.${i % 200}` },
      metadata: { session_id: `sess_${i}` },
    };
  });

const rule = (k) =>
  `title: bench ${k}\nid: bench-rule-${k}\nlevel: low\nlogsource:\n  product: turbopuffer\ndetection:\n  selection:\n    eventName|contains: never-${k}\n  sel_actor:\n    actor.email|endswith: '@bench-${k}.invalid'\n  condition: selection or sel_actor\n`;

/** A webhook receiver counting the alert deliveries it got, and their distinct webhook-ids. */
async function receiver() {
  let deliveries = 0;
  const ids = new Set();
  const srv = createServer((req, res) => {
    ids.add(req.headers["webhook-id"]);
    req.resume();
    req.on("end", () => {
      deliveries++;
      res.writeHead(200).end("ok");
    });
  });
  await new Promise((r) => srv.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${srv.address().port}/webhook`,
    count: () => deliveries,
    distinct: () => ids.size,
    close: () => new Promise((r) => srv.close(r)),
  };
}

/** The events of the first scenario's timed run of matching pushes: the SQLite baseline's rows. */
let baselineRows = [];
/** The events of the pushes while a run is collecting them (null: not collecting). */
let pushed = null;
const results = [];
/** Per scenario: a matching push's D1 batch plus `wrangler dev`'s cost of its body (ms). */
const floorMs = new Map();
const report = (line) => {
  console.log(`BENCH ${line}`);
  results.push(line);
};

/**
 * CPU seconds (user + system, Linux /proc) of the `wrangler dev` serving `port` and its
 * children (workerd: the Worker, D1, the queues): what the pushes cost whatever else the
 * machine runs, which wall-clock figures on a shared machine cannot say; in all, of workerd and
 * of the rest (wrangler's node process). null elsewhere.
 */
function serverCpu(port, only) {
  const procs = new Map();
  let dirs = [];
  try {
    dirs = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return null;
  }
  for (const d of only ? only.map(String) : dirs) {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const cmd = readFileSync(`/proc/${d}/cmdline`, "utf8").split("\0");
      procs.set(Number(d), { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / 100, cmd });
    } catch {}
  }
  let tree = new Set(only ?? []);
  if (!only) {
    const root = [...procs].find(
      ([, p]) => p.cmd.includes("dev") && p.cmd[p.cmd.indexOf("--port") + 1] === String(port),
    );
    if (!root) return null;
    tree = new Set([root[0]]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const [pid, p] of procs)
        if (!tree.has(pid) && tree.has(p.ppid)) grew = tree.add(pid) !== undefined;
    }
  }
  const out = { total: 0, workerd: 0, wrangler: 0, pids: [...tree] };
  for (const pid of tree) {
    const p = procs.get(pid);
    if (!p) continue;
    out.total += p.cpu;
    if ((p.cmd[0] ?? "").endsWith("workerd")) out.workerd += p.cpu;
    else out.wrangler += p.cpu;
  }
  return out;
}

/** The `spans {json}` lines of the Worker's log, in order (one per push). */
const spansOf = (logFile) =>
  readFileSync(logFile, "utf8")
    .split("\n")
    .filter((l) => l.includes("spans {"))
    .map((l) => JSON.parse(l.slice(l.indexOf("spans {") + 6)));

/**
 * One server per scenario, each with its own fresh local D1: a scenario that followed another on
 * the same server pushed into tables that one had already filled (63,000 rows), which made its
 * INSERTs half as slow again (29 against 19 ms a push) for no reason of its own.
 */
async function scenario(destinations) {
  const hook = destinations ? await receiver() : null;
  const vars = { PROFILE_SPANS: "true" };
  if (hook) {
    vars.DESTINATIONS = JSON.stringify([
      { id: "bench", type: "webhook", url: hook.url, secretEnv: "BENCH_WEBHOOK_SECRET" },
    ]);
    vars.BENCH_WEBHOOK_SECRET = "whsec_ZGV2LXdlYmhvb2stc2VjcmV0LWZvci1hdWRpdGZsYXJl";
  }
  try {
    for (const rules of quick ? [50] : [0, 50]) {
      const s = await startServer({
        log: () => {},
        vars,
        logFile: join(
          root,
          "test-results",
          `push-http-${destinations ? "dest" : "nodest"}${rules ? `-${rules}` : ""}.log`,
        ),
      });
      const ingest = {
        authorization: `Bearer ${s.tokens.ingest}`,
        "content-type": "application/json",
      };
      /**
       * After a block: the deferred outbox write, and with destinations the deliveries (until the
       * receiver got nothing new for 2.5 s: a queue batch waits up to 2 s to fill).
       */
      const settle = async () => {
        const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
        if (!hook) return sleep(300);
        let last = hook.count();
        let quiet = 0;
        for (let w = 0; w < 120 && quiet < 2500; w++) {
          await sleep(250);
          quiet = hook.count() === last ? quiet + 250 : 0;
          last = hook.count();
        }
        // the next block takes what is still running: said, so that its figures are read so
        if (quiet < 2500) console.warn("push-http: deliveries still running 30 s after a block");
      };
      const push = async (matching) => {
        const events = batch(matching);
        pushed?.push(...events);
        const body = JSON.stringify(events); // the vendor's text, made before the clock starts
        const t = performance.now();
        const r = await fetch(`${s.base}/v1/ingest/turbopuffer`, {
          method: "POST",
          headers: ingest,
          body,
        });
        const j = await r.json();
        if (j.inserted !== BATCH) throw new Error(JSON.stringify(j));
        return performance.now() - t;
      };
      try {
        if (rules > 0)
          for (let k = 0; k < rules; k++) {
            const r = await fetch(`${s.base}/v1/rules/bench-rule-${k}`, {
              method: "PUT",
              headers: {
                authorization: `Bearer ${s.tokens.admin}`,
                "content-type": "application/yaml",
              },
              body: rule(k),
            });
            if (r.status !== 204 && r.status !== 200 && r.status !== 201)
              throw new Error(`PUT rule: ${r.status} ${await r.text()}`);
          }
        const name = `${destinations ? "destinations" : "no_destinations"}+starter${rules ? `+${rules}` : ""}`;
        const sum = (a) => a.reduce((x, y) => x + y, 0);
        const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
        await push(true);
        await push(false);
        await push(false);
        // 1. The issue's figure: PUSHES matching pushes in a row on the fresh D1; their rows
        //    (the first scenario's) are what raw SQLite inserts below.
        const run = [];
        pushed = baselineRows.length === 0 ? [] : null;
        for (let k = 0; k < PUSHES; k++) run.push(await push(true));
        if (pushed) baselineRows = pushed;
        pushed = null;
        report(
          `push_http_events_per_s ${name} ${Math.round((PUSHES * BATCH) / (sum(run) / 1000))}`,
        );
        report(`push_http_ms ${name} matching ${median(run).toFixed(1)}`);
        // 2. What detections cost: runs of matching pushes against runs of plain ones, in blocks
        //    of BLOCK pushes in the order M P P M (twice or more), so that the table's growth
        //    weighs on both kinds alike. Each block's first push is not counted (it follows the
        //    other kind, or a pause), then the server settles (the deferred outbox write; with
        //    destinations the deliveries, a queue batch waiting up to 2 s to fill) before the
        //    next block: each kind's time is its pushes in steady state, and its CPU also what
        //    they left running. An alternating M, after, plain cycle gave 0.18 in one order and
        //    0.07 shuffled, from what each push inherited from the one before.
        await settle(); // what step 1 left running (its deliveries) is not the first block's
        const before = spansOf(s.logFile).length;
        const times = { matching: [], plain: [] };
        const cpuOf = { matching: [], plain: [] };
        const pids = serverCpu(s.port)?.pids;
        for (let b = 0; b < BLOCKS; b++) {
          const kind = b % 4 === 0 || b % 4 === 3 ? "matching" : "plain";
          await push(kind === "matching");
          const start = pids && serverCpu(s.port, pids);
          for (let k = 1; k < BLOCK; k++) times[kind].push(await push(kind === "matching"));
          await settle();
          const end = pids && serverCpu(s.port, pids);
          if (start && end)
            cpuOf[kind].push({
              total: end.total - start.total,
              workerd: end.workerd - start.workerd,
              wrangler: end.wrangler - start.wrangler,
            });
        }
        const ratio = (m, p) => (m / p - 1).toFixed(3);
        report(`detection_cost_ratio ${name} ${ratio(sum(times.matching), sum(times.plain))}`);
        // the same from the median push of each kind
        report(
          `detection_cost_ratio_median ${name} ${ratio(median(times.matching), median(times.plain))}`,
        );
        report(`push_http_ms ${name} block_matching ${median(times.matching).toFixed(1)}`);
        report(`push_http_ms ${name} block_plain ${median(times.plain).toFixed(1)}`);
        if (cpuOf.plain.length > 0) {
          // The same from the server's CPU (Linux), the work a push leaves running included:
          // wrangler's node process receives every devtools event of the Worker as a request (four
          // per outbound fetch: the alert deliveries) and appends each to its debug log file, a
          // cost of `wrangler dev` only, so the ratio is also given from workerd's CPU alone (the
          // Worker, D1, the queues).
          const cpu = (kind, k) => (sum(cpuOf[kind].map((c) => c[k])) * 1000) / times[kind].length;
          for (const [suffix, k] of [
            ["", "total"],
            ["_workerd", "workerd"],
          ])
            report(
              `detection_cpu_cost_ratio${suffix} ${name} ${ratio(cpu("matching", k), cpu("plain", k))}`,
            );
          for (const kind of ["matching", "plain"])
            for (const [suffix, k] of [
              ["", "total"],
              ["_workerd", "workerd"],
              ["_wrangler", "wrangler"],
            ])
              report(
                `push_http_cpu_ms_per_push${suffix} ${name} ${kind} ${cpu(kind, k).toFixed(1)}`,
              );
        }
        // The floor the measuring method sets: what `wrangler dev` alone costs a push (its
        // proxy carries the request and response), as a 1,000-event body refused with 401 before
        // the Worker reads it, and a GET /healthz; medians.
        const floor = { body: [], healthz: [] };
        for (let k = 0; k < PUSHES; k++) {
          const body = JSON.stringify(batch(false));
          let t = performance.now();
          const r = await fetch(`${s.base}/v1/ingest/turbopuffer`, {
            method: "POST",
            headers: { ...ingest, authorization: "Bearer not-the-token" },
            body,
          });
          await r.text();
          if (r.status !== 401) throw new Error(`floor push: ${r.status}`);
          floor.body.push(performance.now() - t);
          t = performance.now();
          await (await fetch(`${s.base}/healthz`)).text();
          floor.healthz.push(performance.now() - t);
        }
        report(`push_http_floor_ms ${name} refused_body ${median(floor.body).toFixed(1)}`);
        report(`push_http_floor_ms ${name} healthz ${median(floor.healthz).toFixed(1)}`);
        const spans = spansOf(s.logFile).slice(before);
        // The matching pushes' spans count matches, the plain pushes' none.
        const profiles = {};
        for (const [kind, of] of [
          ["", spans.filter((x) => (x.counts.matches ?? 0) > 0)],
          ["/plain", spans.filter((x) => (x.counts.matches ?? 0) === 0)],
        ]) {
          if (of.length === 0) continue;
          const mean = (f) => of.reduce((a, x) => a + (f(x) ?? 0), 0) / of.length;
          profiles[kind] = { ms: {}, total: mean((x) => x.total) };
          for (const stage of new Set(of.flatMap((x) => Object.keys(x.ms))))
            profiles[kind].ms[stage] = mean((x) => x.ms[stage]);
          for (const stage of new Set(of.flatMap((x) => Object.keys(x.ms))))
            report(
              `push_profile_ms ${name}${kind} ${stage} ${mean((x) => x.ms[stage]).toFixed(2)}`,
            );
          report(
            `push_profile_ms ${name}${kind} total_in_worker ${mean((x) => x.total).toFixed(2)}`,
          );
          for (const c of new Set(of.flatMap((x) => Object.keys(x.counts))))
            report(`push_profile_count ${name}${kind} ${c} ${mean((x) => x.counts[c]).toFixed(1)}`);
        }
        // What detections cost in a matching push, from its spans: the rules' load as far as the
        // commit waits for it, matching, the statements, the extra D1 batch time over a plain
        // push of the same server, correlations and the outbox; over the rest of the push.
        const m = profiles[""];
        const p = profiles["/plain"];
        if (m && p) {
          const at = (x, k) => x.ms[k] ?? 0;
          const rulesWait = m.ms.detect_rules_wait ?? m.ms.detect_rules ?? 0; // before: not overlapped
          const cost =
            rulesWait +
            at(m, "detect_match") +
            at(m, "detect_statements") +
            Math.max(0, at(m, "d1_batch") - at(p, "d1_batch")) +
            at(m, "correlate") +
            at(m, "alert_outbox");
          report(`detection_share ${name} ${(cost / (m.total - cost)).toFixed(3)}`);
        }
        // The fastest a matching push could be with no Worker code at all: local D1's batch of
        // its statements plus what `wrangler dev` costs its body (push_http_ceiling_ratio below).
        if (m?.ms.d1_batch) floorMs.set(name, m.ms.d1_batch + median(floor.body));
        if (hook) {
          // Deliveries go on after the pushes (the notifications queue): the server stays up
          // until they settle.
          let last = -1;
          for (let w = 0; w < 30 && hook.count() !== last; w++) {
            last = hook.count();
            await new Promise((r) => setTimeout(r, 1000));
          }
        }
      } finally {
        await s.stop();
      }
    }
    if (hook) {
      report(`alert_deliveries destinations ${hook.count()}`);
      // one webhook-id per (alert version, destination): fewer than the deliveries is a version
      // sent twice (a retry; none expected here)
      report(`alert_deliveries_distinct destinations ${hook.distinct()}`);
    }
  } finally {
    await hook?.close();
  }
}

for (const destinations of quick ? [true] : [false, true]) await scenario(destinations);

// The raw-SQLite baseline: the same events, normalized by the Worker's code, in one transaction.
const Database = loadSqlite("sqlite_http_insert_rows_per_s");
if (Database) {
  const { rows, LOG_COLUMNS, rowKey } = await turbopufferRows(baselineRows);
  const db = freshDatabase(Database, "sqlite-http-baseline");
  const sqlite = insertRate(db, rowInserter(db, LOG_COLUMNS, rowKey), rows);
  db.close();
  report(`sqlite_http_insert_rows_per_s ${Math.round(sqlite)}`);
  for (const line of results.filter((l) => l.startsWith("push_http_events_per_s "))) {
    const parts = line.split(" ");
    report(`push_http_ratio ${parts[1]} ${(Number(parts[2]) / sqlite).toFixed(3)}`);
  }
  // The ratio a push would reach if the Worker's own work took no time: what local D1 and
  // `wrangler dev` alone allow this goal on this machine.
  for (const [name, ms] of floorMs)
    report(`push_http_ceiling_ratio ${name} ${(BATCH / (ms / 1000) / sqlite).toFixed(3)}`);
}
