/** The SQL tab: editor, examples, the views and their columns, results, CSV download. */
export const SQL = /* js */ `
let schemaLoaded = false;
async function loadSchema() {
  if (schemaLoaded) return;
  const s = await apiJson("/v1/sql/schema");
  schemaLoaded = true;
  const select = $("sql-examples");
  select.replaceChildren(el("option", { value: "" }, "choose an example…"), ...s.examples.map((x, i) => el("option", { value: i }, x.title)));
  select.onchange = () => { const x = s.examples[select.value]; if (x) $("sql-query").value = x.sql; };
  $("sql-schema").replaceChildren(el("h2", {}, "Views"), ...s.views.map((v, i) => el("details", { open: i === 0 || undefined },
    el("summary", {}, " ", el("strong", {}, v.name), " "), el("p", {}, v.description, " "),
    el("div", {}, ...v.columns.flatMap((c) => [el("code", {}, c), " "])))));
}
function sqlBody() {
  const limit = Math.min(10000, Math.max(1, Number($("sql-limit").value) || 1000));
  return { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: $("sql-query").value, limit }) };
}
function showResult(columns, rows) {
  $("sql-result").replaceChildren(
    el("thead", {}, el("tr", {}, ...columns.map((c) => el("th", { scope: "col" }, c)))),
    el("tbody", {}, ...rows.map((row) => el("tr", {}, ...row.map((v) => el("td", { title: text(v) }, text(v)))))));
}
const archiveMode = () => document.querySelector('input[name="sql-mode"]:checked').value === "archive";
async function runSql() {
  if (archiveMode()) return runArchiveSql();
  setStatus($("sql-error"), "");
  $("sql-meta").textContent = "Running…";
  try {
    const r = await apiJson("/v1/sql", sqlBody());
    showResult(r.columns, r.rows);
    $("sql-meta").textContent = r.rows.length + " rows" + (r.meta.truncated ? " (more matched: raise the limit or add LIMIT)" : "") +
      " · " + r.meta.rowsRead + " rows read · " + r.meta.durationMs + " ms";
  } catch (e) {
    $("sql-meta").textContent = "";
    $("sql-result").replaceChildren();
    setStatus($("sql-error"), e.message, true);
  }
}
$("sql-run").addEventListener("click", runSql);
$("sql-query").addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); runSql(); } });
$("sql-csv").addEventListener("click", async () => {
  if (archiveMode()) return archiveCsv();
  try {
    const body = sqlBody();
    const res = await api("/v1/sql", { ...body, headers: { ...body.headers, accept: "text/csv" } });
    const a = el("a", { href: URL.createObjectURL(await res.blob()), download: "auditflare.csv" });
    document.body.append(a); a.click(); a.remove();
  } catch (e) { setStatus($("sql-error"), e.message, true); }
});
loaders.sql = async () => {
  loadSaved("sql", $("saved-sql"), $("sql-saved-status"));
  try { await loadSchema(); } catch (e) { setStatus($("sql-error"), e.message, true); }
};
`;
