import { env } from "cloudflare:workers";
import { it } from "vitest";
import { commit } from "../src/store/ingest";
import { keyAtOrAfter } from "../src/store/keys";
import type { LogRow } from "../src/store/schema";
import { QUERY_T0, queryRow } from "./events";

/**
 * Can we afford an SQLite FTS5 index over the stored events (eventName, actor, srcIP, resources,
 * rawLog)? Local D1 (workerd), one `BENCH fts_<name> <value>` line per figure:
 *  - rows written per stored event (the D1 meta, as billed) and bytes per event (size_after
 *    delta), without an index and with each FTS5 variant kept in step by triggers on the events table;
 *  - the rows the FTS5 shadow tables gain per event (their writes run in FTS5's own statements,
 *    and its in-memory pending index is written at COMMIT: neither is in the meta's count);
 *  - rows written per deleted event (retention), with the same triggers;
 *  - p50 latency and rows read of a free-text search (the API's page: newest 100), LIKE
 *    '%term%' over the five columns vs MATCH, at 20k and 100k events.
 * Nothing here is created by the migrations: the tables and triggers live only in this file.
 */
const report = (name: string, value: string | number) => console.log(`BENCH fts_${name} ${value}`);

const COLS = ["eventName", "actor", "srcIP", "resources", "rawLog"] as const;
const N = 20_000;
const BATCH = 1000;

/** An FTS5 variant: its options, and whether its shadow tables hold a copy of the text. */
interface Variant {
  name: string;
  options: string;
  /** contentless_delete=1 tables delete by rowid; the others need the old values ('delete'). */
  deleteByRowid?: boolean;
}

/**
 * The events table: `logs`, or `events` once it is renamed (migrations/0010_logs_view.sql makes
 * `logs` a view, which takes no triggers): read from the migrated schema at the start.
 */
let T = "logs";
async function eventsTable() {
  const { results } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('events', 'logs') ORDER BY name",
  ).all<{ name: string }>();
  const name = results[0]?.name;
  if (!name) throw new Error("no events table");
  return name;
}

/** External content: the text stays in the events table (`$T`), the index keys are its rids. */
const EXTERNAL = "content='$T', content_rowid='rid'";
const VARIANTS: Variant[] = [
  { name: "external", options: EXTERNAL },
  { name: "external_detail_none", options: `${EXTERNAL}, detail=none, columnsize=0` },
  { name: "contentless", options: "content='', contentless_delete=1", deleteByRowid: true },
  { name: "contentless_detail_none", options: "content='', detail=none, columnsize=0" },
  { name: "external_trigram", options: `${EXTERNAL}, tokenize='trigram'` },
];

/** Odd events carry a larger rawLog (request, user agent, changes): ~0.5 and ~1.5 KB. */
function ftsRow(i: number): LogRow {
  const row = queryRow(i);
  const raw = JSON.parse(row.rawLog) as Record<string, unknown>;
  if (i % 2 === 1) {
    const hex = row.id;
    raw.request = {
      id: `req_${hex.slice(0, 24)}`,
      trace_id: `${hex}${hex.slice(0, 8)}`,
      method: ["GET", "POST", "PATCH", "DELETE"][i % 4],
      path: `/v1/namespaces/ns-${i % 700}/documents/${hex.slice(8, 24)}`,
      user_agent:
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
      headers: { "x-forwarded-for": `203.0.113.${i % 250}, 10.0.${i % 200}.${i % 250}` },
    };
    raw.changes = Array.from({ length: 3 }, (_, k) => ({
      field: ["name", "region", "schema", "quota"][(i + k) % 4],
      old: `value-${(i * 7 + k) % 10_000}-${hex.slice(k * 4, k * 4 + 8)}`,
      new: `value-${(i * 11 + k) % 10_000}-${hex.slice(k * 4 + 8, k * 4 + 16)}`,
    }));
    raw.organization = { id: `org_${String(i % 40).padStart(24, "0")}`, name: `acme-${i % 40}` };
  }
  return { ...row, sourceID: "fts", rawLog: JSON.stringify(raw) };
}

const size = async () => (await env.DB.prepare("SELECT 1").run()).meta.size_after ?? 0;
const exec = (sql: string) => env.DB.prepare(sql).run();

/** Commits rows [from, from + n) in batches of BATCH: rows written and events stored. */
async function load(from: number, n: number) {
  const before = await count();
  let written = 0;
  let inserted = 0;
  for (let b = from; b < from + n; b += BATCH) {
    const rows = Array.from({ length: Math.min(BATCH, from + n - b) }, (_, k) => ftsRow(b + k));
    const r = await commit(env, {
      sourceID: "fts",
      sourceType: "turbopuffer",
      rows,
      quarantine: [],
      received: rows.length,
      now: Date.now(),
    });
    written += r.rowsWritten;
    inserted += r.inserted;
  }
  const after = await count();
  if (after - before !== n) throw new Error(`stored ${after - before} of ${n}`);
  // commit() counts `inserted` from the INSERT's meta.changes, which counts trigger writes too.
  return { written, inserted };
}

const count = async () =>
  (await env.DB.prepare(`SELECT count(*) AS n FROM ${T}`).first<{ n: number }>())?.n ?? 0;

const createTable = (t: string, v: Variant) =>
  exec(`CREATE VIRTUAL TABLE ${t} USING fts5(${COLS.join(", ")}, ${v.options.replace("$T", T)})`);

/** The AFTER INSERT / AFTER DELETE triggers that keep table `t` in step with the events table. */
async function createTriggers(t: string, v: Variant) {
  const news = COLS.map((c) => `new.${c}`).join(", ");
  const olds = COLS.map((c) => `old.${c}`).join(", ");
  await exec(
    `CREATE TRIGGER ${t}_ai AFTER INSERT ON ${T} BEGIN INSERT INTO ${t}(rowid, ${COLS.join(", ")}) VALUES (new.rid, ${news}); END`,
  );
  await exec(
    v.deleteByRowid
      ? `CREATE TRIGGER ${t}_ad AFTER DELETE ON ${T} BEGIN DELETE FROM ${t} WHERE rowid = old.rid; END`
      : `CREATE TRIGGER ${t}_ad AFTER DELETE ON ${T} BEGIN INSERT INTO ${t}(${t}, rowid, ${COLS.join(", ")}) VALUES ('delete', old.rid, ${olds}); END`,
  );
}

async function dropTriggers(t: string) {
  await exec(`DROP TRIGGER IF EXISTS ${t}_ai`);
  await exec(`DROP TRIGGER IF EXISTS ${t}_ad`);
}

/** Rows in the FTS5 shadow tables of `t`. */
async function shadowRows(t: string) {
  const { results } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (?1, ?2, ?3, ?4)",
  )
    .bind(`${t}_data`, `${t}_idx`, `${t}_content`, `${t}_docsize`)
    .all<{ name: string }>();
  let n = 0;
  for (const { name } of results)
    n += (await env.DB.prepare(`SELECT count(*) AS n FROM ${name}`).first<{ n: number }>())?.n ?? 0;
  return n;
}

/** Rows written per deleted event: retention's DELETE (src/store/retention.ts deleteRows) of BATCH rows. */
async function deleteCost(from: number) {
  const { results } = await env.DB.prepare(
    `SELECT CAST(rid AS TEXT) AS rid FROM ${T} WHERE rid >= CAST(?1 AS INTEGER) ORDER BY rid LIMIT ?2`,
  )
    .bind(keyAtOrAfter(QUERY_T0 + from * 3000), BATCH)
    .all<{ rid: string }>();
  const r = await env.DB.prepare(
    `DELETE FROM ${T} WHERE rid IN (SELECT CAST(value AS INTEGER) FROM json_each(?1))`,
  )
    .bind(JSON.stringify(results.map((x) => x.rid)))
    .run();
  const left = await env.DB.prepare(
    `SELECT count(*) AS n FROM ${T} WHERE rid IN (SELECT CAST(value AS INTEGER) FROM json_each(?1))`,
  )
    .bind(JSON.stringify(results.map((x) => x.rid)))
    .first<{ n: number }>();
  if (results.length !== BATCH || left?.n !== 0) throw new Error("delete");
  return r.meta.rows_written / results.length;
}

it("fts5: rows written, bytes and delete cost per event, per variant", async () => {
  T = await eventsTable();
  // Does local D1 take FTS5 at all?
  await createTable("fts_probe", VARIANTS[0] as Variant);
  await exec("DROP TABLE fts_probe");
  report("create_virtual_table_fts5_ok", 1);

  let avg = 0;
  for (let i = 0; i < 1000; i++) avg += ftsRow(i).rawLog.length;
  report("rawlog_avg_bytes", Math.round(avg / 1000));

  const cases: Array<{ name: string; t?: string; v?: Variant; from: number }> = [
    { name: "without", from: 0 },
    ...VARIANTS.map((v, k) => ({ name: v.name, t: `fts_${v.name}`, v, from: (k + 1) * N })),
  ];
  for (const c of cases) {
    if (c.t && c.v) {
      await createTable(c.t, c.v);
      await createTriggers(c.t, c.v);
    }
    const before = await size();
    const started = performance.now();
    const { written, inserted } = await load(c.from, N);
    const seconds = (performance.now() - started) / 1000;
    report(`rows_written_per_event_${c.name}`, (written / N).toFixed(2));
    report(`commit_inserted_per_event_${c.name}`, (inserted / N).toFixed(2));
    report(`bytes_per_event_${c.name}`, Math.round(((await size()) - before) / N));
    report(`ingest_events_per_s_${c.name}`, Math.round(N / seconds));
    if (c.t) {
      report(`shadow_rows_per_event_${c.name}`, ((await shadowRows(c.t)) / N).toFixed(3));
      await dropTriggers(c.t);
    }
  }
  // Deletes last: the pages they free would be reused by the loads above and hide their bytes.
  for (const c of cases) {
    if (c.t && c.v) await createTriggers(c.t, c.v);
    report(`rows_written_per_deleted_event_${c.name}`, (await deleteCost(c.from)).toFixed(2));
    if (c.t) await dropTriggers(c.t);
  }
  for (const c of cases) if (c.t) await exec(`DROP TABLE ${c.t}`);
});

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
};

/** The searched terms: an actor id (1 event in 5,000), an event name (1 in 10), no match. */
const TERMS: Record<string, string> = {
  actor: `user_${"7".padStart(26, "0")}`,
  common: "api-key-created",
  absent: "nosuchterm-zz9",
};

const likeSql =
  () => `SELECT * FROM ${T} WHERE ${COLS.map((c) => `${c} LIKE ?1 ESCAPE '\\'`).join(" OR ")}
ORDER BY rid DESC LIMIT 100`;
/** MATCH, then the page of events rows in the API's order (the FTS rowid is `rid`). */
const matchSql = (t: string, recheck: boolean) =>
  `SELECT l.* FROM ${t} f JOIN ${T} l ON l.rid = f.rowid WHERE ${t} MATCH ?2${
    recheck ? ` AND (${COLS.map((c) => `l.${c} LIKE ?1 ESCAPE '\\'`).join(" OR ")})` : ""
  } ORDER BY f.rowid DESC LIMIT 100`;

const tokens = (term: string) => term.split(/[^A-Za-z0-9]+/).filter(Boolean);
const QUERY_VARIANTS: Array<{ name: string; v: Variant; match: (term: string) => string }> = [
  {
    // detail=full: the term as a phrase of its tokens.
    name: "external",
    v: VARIANTS[0] as Variant,
    match: (term) => `"${tokens(term).join(" ")}"`,
  },
  {
    // detail=none refuses phrases: all the tokens, then LIKE on the candidates (same result).
    name: "external_detail_none",
    v: VARIANTS[1] as Variant,
    match: (term) => tokens(term).join(" AND "),
  },
  {
    // trigram: the quoted term is a substring match, as LIKE '%term%'.
    name: "external_trigram",
    v: VARIANTS[4] as Variant,
    match: (term) => `"${term.replaceAll('"', '""')}"`,
  },
];

/**
 * p50 of a query's latency. workerd's clock moves in whole milliseconds, so a sample times k
 * runs back to back (k from the warm-up runs: ~10 ms a sample) and divides.
 */
async function timeQuery(sql: string, binds: string[]) {
  const run = () =>
    env.DB.prepare(sql)
      .bind(...binds)
      .all();
  let t = performance.now();
  const first = await run();
  await run();
  const k = Math.min(50, Math.max(1, Math.round(20 / Math.max(0.2, performance.now() - t))));
  const times: number[] = [];
  const until = performance.now() + 2500;
  while (times.length < 15 && (times.length < 5 || performance.now() < until)) {
    t = performance.now();
    for (let r = 0; r < k; r++) await run();
    times.push((performance.now() - t) / k);
  }
  return { p50: percentile(times, 50), rowsRead: first.meta.rows_read, hits: first.results.length };
}

it("fts5: free-text search p50, LIKE vs MATCH, at 20k and 100k events", async () => {
  T = await eventsTable();
  const { results } = await env.DB.prepare(
    "SELECT type, name FROM sqlite_master WHERE (type = 'trigger' AND tbl_name = ?1) OR (type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%fts5%')",
  )
    .bind(T)
    .all<{ type: string; name: string }>();
  for (const r of results) await exec(`DROP ${r.type.toUpperCase()} IF EXISTS ${r.name}`);
  await exec(`DELETE FROM ${T}`);
  let loaded = 0;
  for (const total of [20_000, 100_000]) {
    await load(2_000_000 + loaded, total - loaded);
    loaded = total;
    for (const q of QUERY_VARIANTS) {
      const t = `q_${q.name}`;
      await exec(`DROP TABLE IF EXISTS ${t}`);
      await createTable(t, q.v);
      await exec(`INSERT INTO ${t}(${t}) VALUES ('rebuild')`);
    }
    const k = `${total / 1000}k`;
    for (const [name, term] of Object.entries(TERMS)) {
      const like = `%${term.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
      const base = await timeQuery(likeSql(), [like]);
      report(`like_p50_ms_${name}_${k}`, base.p50.toFixed(2));
      report(`like_rows_read_${name}_${k}`, base.rowsRead);
      for (const q of QUERY_VARIANTS) {
        const t = `q_${q.name}`;
        const m = await timeQuery(matchSql(t, q.name === "external_detail_none"), [
          like,
          q.match(term),
        ]);
        report(`match_p50_ms_${q.name}_${name}_${k}`, m.p50.toFixed(2));
        report(`match_rows_read_${q.name}_${name}_${k}`, m.rowsRead);
        if (m.hits !== base.hits)
          report(`hits_differ_${q.name}_${name}_${k}`, `${m.hits}/${base.hits}`);
      }
    }
  }
});
