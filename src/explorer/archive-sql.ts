/**
 * The SQL tab's Archive mode (issue 28): the analyst's SQL over the archive's Parquet, run by
 * DuckDB-WASM in a Web Worker in this browser, never by the Worker (no CPU limit in the way).
 * GET /v1/archive/urls (query token) hands out one signed, 15-minute, GET/HEAD-only URL per
 * object of the sources and hours asked; each is registered under its archive key (so
 * `hive_partitioning` finds source, date and hour in the name) and DuckDB reads it by HTTP range
 * requests. The view `archive` is read_parquet over them. DuckDB itself comes from the Worker's
 * static assets (public/duckdb/, scripts/duckdb-assets.mjs): its module, its worker script, and
 * the engine gzipped (18.1 MB raw, 4.2 MB gzipped), un-gzipped here and handed to DuckDB's
 * worker as a blob: URL. @duckdb/duckdb-wasm is pinned at 1.28.0 (DuckDB 0.9.1), the last
 * release whose wasm reads Parquet without fetching an extension from extensions.duckdb.org.
 * Cancel terminates the Web Worker (the next run starts anew).
 */
export const ARCHIVE_SQL = /* js */ `
let duckLoad = null;   // Promise of { mod, db, worker, wasmUrl }, once per page
let duckWorker = null; // the Web Worker of that load, for Cancel
let archiveCancel = null;
let archiveLast = null;
function mb(n) { return (n / 1048576).toFixed(1) + " MB"; }
function dropDuckdb() {
  if (duckWorker) duckWorker.terminate();
  duckWorker = null;
  duckLoad = null;
}
function loadDuckdb(progress) {
  if (duckLoad) return duckLoad;
  duckLoad = (async () => {
    progress("Loading DuckDB…");
    const mod = await import("/duckdb/duckdb.mjs");
    const res = await fetch("/duckdb/duckdb-eh.wasm.gz");
    if (!res.ok) throw new Error("DuckDB is not served here (" + res.status + " for /duckdb/duckdb-eh.wasm.gz): see docs/explorer.md");
    const total = Number(res.headers.get("content-length")) || 0;
    let loaded = 0;
    const counted = res.body.pipeThrough(new TransformStream({ transform(chunk, c) {
      loaded += chunk.length;
      progress("Loading DuckDB: " + mb(loaded) + (total ? " of " + mb(total) : "") + "…");
      c.enqueue(chunk);
    } }));
    const wasm = await new Response(counted.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer();
    const wasmUrl = URL.createObjectURL(new Blob([wasm], { type: "application/wasm" }));
    const worker = new Worker("/duckdb/duckdb-browser-eh.worker.js");
    duckWorker = worker;
    const db = new mod.AsyncDuckDB(new mod.VoidLogger(), worker);
    progress("Starting DuckDB…");
    await db.instantiate(wasmUrl);
    URL.revokeObjectURL(wasmUrl);
    await db.open({ query: { castBigIntToDouble: false } });
    return { mod, db, worker };
  })();
  duckLoad.catch(() => dropDuckdb());
  return duckLoad;
}
/** An Arrow value as JSON-able data: integers as numbers (or text past 2^53), times as UTC ISO. */
function plain(v, type) {
  if (v === null || v === undefined) return null;
  const t = type ? String(type) : "";
  if (typeof v === "number" && /^Timestamp/.test(t)) return new Date(v).toISOString();
  if (typeof v === "number" && /^Date/.test(t)) return new Date(v).toISOString().slice(0, 10);
  if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : String(v);
  if (v instanceof Date) return v.toISOString();
  if (typeof v !== "object") return v;
  if (typeof v.toJSON === "function") return plain(v.toJSON());
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return Array.from(v, (x) => plain(x));
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
}
function archiveRange() {
  const from = fromInput($("sql-from").value), to = fromInput($("sql-to").value);
  if (!from || !to) throw new Error("Archive mode needs a range: From and To (UTC ISO)");
  const sources = $("sql-sources").value.split(/[\\s,]+/).filter(Boolean);
  return { from, to, sources };
}
async function archiveUrls(range) {
  const asks = range.sources.length ? range.sources : [""];
  const lists = await Promise.all(asks.map((source) => {
    const p = new URLSearchParams({ from: range.from, to: range.to });
    if (source) p.set("source", source);
    return apiJson("/v1/archive/urls?" + p);
  }));
  return lists.flatMap((l) => l.data);
}
async function runArchiveSql() {
  if (archiveCancel) archiveCancel();
  setStatus($("sql-error"), "");
  const meta = $("sql-meta");
  const started = performance.now();
  const elapsed = () => ((performance.now() - started) / 1000).toFixed(1) + " s";
  let cancelled = false;
  let rejectCancel;
  const cancel = new Promise((_, reject) => { rejectCancel = reject; });
  cancel.catch(() => {});
  archiveCancel = () => { cancelled = true; dropDuckdb(); rejectCancel(new Error("Cancelled")); };
  const progress = (m) => { if (!cancelled) meta.textContent = m + " (" + elapsed() + ")"; };
  const step = (p) => Promise.race([p, cancel]);
  $("sql-cancel").hidden = false;
  $("sql-run").disabled = true;
  let conn = null;
  try {
    const range = archiveRange();
    const limit = Math.min(10000, Math.max(1, Number($("sql-limit").value) || 1000));
    progress("Asking for the archive's objects…");
    const objects = await step(archiveUrls(range));
    if (objects.length === 0) {
      archiveLast = null;
      showResult([], []);
      meta.textContent = "No archived hour in this range" + (range.sources.length ? " for " + range.sources.join(", ") : "") + ": nothing to read (hours still in D1: use D1 mode).";
      return;
    }
    const bytes = objects.reduce((n, o) => n + o.bytes, 0);
    const { mod, db } = await step(loadDuckdb(progress));
    progress("Registering " + objects.length + " objects (" + mb(bytes) + ")…");
    await step(Promise.all(objects.map((o) => db.registerFileURL(o.key, new URL(o.url, location.href).href, mod.DuckDBDataProtocol.HTTP, false))));
    conn = await step(db.connect());
    // @duckdb/duckdb-wasm 1.28 (DuckDB 0.9.1) has the Parquet reader in its wasm: nothing is
    // downloaded (1.29+ fetch it from extensions.duckdb.org; docs/explorer.md says why 1.28).
    const list = objects.map((o) => "'" + o.key.replaceAll("'", "''") + "'").join(", ");
    try {
      await step(conn.query("CREATE OR REPLACE VIEW archive AS SELECT * FROM read_parquet([" + list + "], hive_partitioning = true, union_by_name = true)"));
    } catch (e) {
      if (cancelled || !/extension|read_parquet/i.test(e.message)) throw e;
      throw new Error("DuckDB cannot read Parquet here (" + e.message + "): this build needs its parquet reader built in, see docs/explorer.md, SQL over the archive");
    }
    progress("Running over " + objects.length + " objects (" + mb(bytes) + ")…");
    const sql = $("sql-query").value.trim().replace(/;\\s*$/, "");
    const table = await step(conn.query("SELECT * FROM (" + sql + "\\n) AS q LIMIT " + (limit + 1)));
    const fields = table.schema.fields;
    const columns = fields.map((f) => f.name);
    const rows = [];
    for (let i = 0; i < Math.min(table.numRows, limit); i++) {
      rows.push(fields.map((f, j) => plain(table.getChildAt(j).get(i), f.type)));
    }
    archiveLast = { columns, rows };
    showResult(columns, rows);
    meta.textContent = rows.length + " rows" + (table.numRows > limit ? " (more matched: raise the limit or add LIMIT)" : "") +
      " · archive: " + objects.length + " objects, " + mb(bytes) + " in range · " + elapsed();
  } catch (e) {
    archiveLast = null;
    meta.textContent = "";
    showResult([], []);
    setStatus($("sql-error"), cancelled ? "Cancelled: DuckDB was stopped (the next run loads it again)." : e.message, !cancelled);
  } finally {
    if (conn && !cancelled) conn.close().catch(() => {});
    if (!cancelled) archiveCancel = null;
    $("sql-cancel").hidden = true;
    $("sql-run").disabled = false;
  }
}
function archiveCsv() {
  if (!archiveLast) return setStatus($("sql-error"), "Run the query first: in Archive mode the CSV is the rows shown.", true);
  // a text that a spreadsheet would run as a formula (= + - @, tab, CR first) is kept as text
  // with a leading ' (as the Logs export's csvCell; numbers are left as they are)
  const cell = (v) => { let s = text(v); if (typeof v === "string" && /^[=+\\-@\\t\\r]/.test(s)) s = "'" + s; return /[",\\n\\r]/.test(s) ? '"' + s.replaceAll('"', '""') + '"' : s; };
  const csv = [archiveLast.columns, ...archiveLast.rows].map((r) => r.map(cell).join(",")).join("\\r\\n") + "\\r\\n";
  const a = el("a", { href: URL.createObjectURL(new Blob([csv], { type: "text/csv" })), download: "auditflare-archive.csv" });
  document.body.append(a); a.click(); a.remove();
}
$("sql-cancel").addEventListener("click", () => { if (archiveCancel) archiveCancel(); archiveCancel = null; });
for (const r of document.querySelectorAll('input[name="sql-mode"]')) {
  r.addEventListener("change", () => {
    const on = archiveMode();
    $("sql-archive").hidden = !on;
    if (on && !$("sql-query").value.includes("archive")) $("sql-query").value = "SELECT source, date, hour, count(*) AS n FROM archive GROUP BY ALL ORDER BY ALL";
  });
}
`;
