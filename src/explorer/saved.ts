/**
 * Saved searches (Logs) and saved SQL (SQL tab), issue 30: GET /v1/saved lists the shared ones
 * and the caller's own; Save does PUT /v1/saved/<id> (admin token: the query token's 403 is
 * shown). The id is drawn once per item being saved and kept until the save succeeds, so a
 * retried click writes the same row, never a second one.
 */
export const SAVED = /* js */ `
const savedIds = { search: null, sql: null };
async function loadSaved(kind, select, status) {
  try {
    const { data } = await apiJson("/v1/saved?kind=" + kind);
    select.replaceChildren(el("option", { value: "" }, data.length ? "choose…" : "none saved yet"),
      ...data.map((s) => el("option", { value: s.id, "data-query": s.query, "data-name": s.name },
        s.name + (s.shared ? "" : " (private)") + " · " + s.owner)));
  } catch (e) { setStatus(status, e.message, true); }
}
async function saveItem(kind, name, shared, query, status) {
  if (!name) return setStatus(status, "Name the " + (kind === "sql" ? "query" : "search") + " first", true);
  savedIds[kind] = savedIds[kind] || crypto.randomUUID();
  setStatus(status, "Saving…");
  try {
    const res = await api("/v1/saved/" + savedIds[kind], { method: "PUT", headers: { "content-type": "application/json" },
      body: JSON.stringify({ kind, name, shared, query }) });
    const item = await res.json();
    savedIds[kind] = null;
    setStatus(status, "Saved “" + item.name + "”" + (item.shared ? " (shared)" : " (private)"));
    return item;
  } catch (e) { setStatus(status, e.message, true); }
}
$("save-search").addEventListener("click", async () => {
  const item = await saveItem("search", $("save-name").value.trim(), $("save-shared").checked, filterParams(true).toString(), $("saved-status"));
  if (item) { await loadSaved("search", $("saved-search"), $("saved-status")); $("saved-search").value = item.id; }
});
$("saved-search").addEventListener("change", () => {
  const o = $("saved-search").selectedOptions[0];
  if (!o || !o.value) return;
  readFilters(new URLSearchParams(o.dataset.query));
  $("save-name").value = o.dataset.name;
  search();
});
$("sql-save").addEventListener("click", async () => {
  const item = await saveItem("sql", $("sql-save-name").value.trim(), $("sql-save-shared").checked, $("sql-query").value, $("sql-saved-status"));
  if (item) { await loadSaved("sql", $("saved-sql"), $("sql-saved-status")); $("saved-sql").value = item.id; }
});
$("saved-sql").addEventListener("change", () => {
  const o = $("saved-sql").selectedOptions[0];
  if (!o || !o.value) return;
  $("sql-query").value = o.dataset.query;
  $("sql-save-name").value = o.dataset.name;
});
`;
