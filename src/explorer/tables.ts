/** The Sources tab (health at a glance) and the plain tables: quarantine, alerts, rules. */
export const TABLES = /* js */ `
const ago = (s) => (s === null || s === undefined ? "" : s < 120 ? s + " s" : s < 7200 ? Math.round(s / 60) + " min" : s < 172800 ? Math.round(s / 3600) + " h" : Math.round(s / 86400) + " d");
function sparkline(counts) {
  const max = Math.max(1, ...counts);
  const points = counts.map((c, i) => (i * 120) / Math.max(1, counts.length - 1) + "," + (22 - (c / max) * 20)).join(" ");
  return el("svg:svg", { class: "spark", viewBox: "0 0 120 24", role: "img", "aria-label": counts.reduce((a, b) => a + b, 0) + " events in 24 hours" },
    el("svg:polyline", { points }));
}
loaders.sources = async () => {
  const body = $("sources-table").tBodies[0];
  setStatus($("sources-status"), "Loading…");
  try {
    const { data } = await apiJson("/v1/sources");
    const to = new Date(Math.ceil(Date.now() / 3600000) * 3600000), from = new Date(to.getTime() - 86400000);
    const spans = await Promise.all(data.map((s) =>
      apiJson("/v1/logs/histogram?" + new URLSearchParams({ sourceID: s.id, from: from.toISOString(), to: to.toISOString() }))
        .then((h) => h.buckets.map((b) => b.count)).catch(() => [])));
    body.replaceChildren(...data.map((s, i) => el("tr", { "data-source": s.id },
      el("td", {}, s.id), el("td", {}, s.type), el("td", {}, s.transport),
      el("td", {}, el("span", { class: "health " + s.health }, s.health)),
      el("td", {}, s.lastEventTime || "never"), el("td", {}, ago(s.lagSeconds)),
      el("td", {}, (s.cursor && s.cursor.nextDueAt) || ""), el("td", {}, sparkline(spans[i])),
      el("td", {}, s.counts.inserted), el("td", {}, s.counts.quarantined),
      el("td", { title: s.lastError ? s.lastError.message : "" }, s.lastError ? s.lastError.at + " " + s.lastError.message : ""))));
    setStatus($("sources-status"), data.length + " sources");
  } catch (e) { setStatus($("sources-status"), e.message, true); }
};
const tableColumns = {
  quarantine: [["received", (r) => r.receivedAt], ["source", (r) => r.sourceID || ""], ["stage", (r) => r.stage],
    ["code", (r) => r.errorCode], ["where", (r) => r.location || ""], ["error", (r) => r.error], ["seen", (r) => String(r.seen)]],
  alerts: [["level", (r) => levelBadge(r.level)], ["title", (r) => r.title], ["rule", (r) => r.ruleId], ["key", (r) => r.dedupKey],
    ["count", (r) => String(r.count)], ["first seen", (r) => r.firstSeen], ["last seen", (r) => r.lastSeen], ["status", (r) => r.status]],
  rules: [["id", (r) => r.id], ["origin", (r) => r.origin], ["enabled", (r) => (r.enabled === false ? "no" : "yes")], ["level", (r) => r.rules.map((x) => x.level).join(", ")],
    ["title", (r) => r.rules.map((x) => x.title).join(" / ")], ["matches", (r) => String(r.matches)], ["last match", (r) => r.lastMatchAt || ""]],
};
let tableCursor = null;
async function loadTable(append) {
  const columns = tableColumns[tab];
  if (!append) {
    tableCursor = null;
    $("rows2").replaceChildren();
    for (const id of ["detail", "entry-view", "table-empty"]) $(id).hidden = true;
    $("rules-bar").hidden = tab !== "rules";
    $("alert-filters").hidden = tab !== "alerts";
    $("alert-view").hidden = true;
    $("view-table").classList.toggle("alerts", tab === "alerts");
    if (tab === "alerts") alertFilters();
    if (tab !== "rules") $("rule-editor").hidden = true;
    $("head2").replaceChildren(el("tr", {}, ...columns.map(([n]) => el("th", { scope: "col" }, n))));
  }
  setStatus($("table-status"), "Loading…");
  try {
    const p = tab === "alerts" ? alertQuery() : new URLSearchParams();
    if (tab !== "rules") p.set("limit", "100");
    if (tableCursor) p.set("cursor", tableCursor);
    const body = await apiJson("/v1/" + tab + "?" + p);
    for (const r of body.data) {
      const tr = el("tr", { tabindex: 0, "data-id": r.id }, ...columns.map(([, get]) => { const v = get(r); return el("td", typeof v === "string" ? { title: v } : {}, v); }));
      tr.addEventListener("click", () => openEntry(r));
      tr.addEventListener("keydown", (e) => { if (e.key === "Enter") openEntry(r); });
      $("rows2").append(tr);
    }
    tableCursor = body.nextCursor || null;
    $("more2").hidden = !tableCursor;
    const empty = !append && body.data.length === 0 && EMPTY[tab];
    $("table-empty").hidden = !empty;
    if (empty) $("table-empty").replaceChildren(...EMPTY[tab].map((t) => el("p", {}, t)));
    setStatus($("table-status"), $("rows2").children.length + " shown" + (tableCursor ? ", more available" : ""));
  } catch (e) { setStatus($("table-status"), e.message, true); }
}
loaders.table = () => loadTable(false);
$("more2").addEventListener("click", () => loadTable(true));
/** What an empty table means, and what would appear in it. */
const EMPTY = {
  quarantine: ["Nothing is in quarantine: every input received so far was stored.",
    "An input lands here instead of being dropped when it cannot be parsed (a body that is not JSON, NDJSON or CSV), when a record does not normalize (a missing or impossible time, a wrong type) or when storing fails. Each entry keeps the input or its bad records, the stage that failed and the error; after a fix, Replay (admin token) runs that stage again. The Sources tab counts them per source."],
  alerts: ["No alert matches. Alerts appear when a detection rule (Rules tab) matches newly stored events; clear the filters above to see all."],
};
// An entry's details: an alert (alerts.ts), a rule in the editor (rules.ts), a quarantine entry.
async function openEntry(r) {
  if (tab === "rules") return openRule(r);
  if (tab === "alerts") return openAlert(r);
  if (tab === "quarantine") return openQuarantine(r);
  $("detail").hidden = false;
  $("detail").textContent = JSON.stringify(r, null, 2);
}
/** The records of a quarantine entry: its bad records (NDJSON of {location, stage, errorCode, error, raw}), or its input. */
function openQuarantine(r) {
  for (const tr of $("rows2").children) tr.classList.toggle("selected", tr.dataset.id === r.id);
  $("entry-view").hidden = false;
  $("entry-title").textContent = "Quarantine entry · " + (r.sourceID || "no source") + " · " + r.stage + " · " + r.errorCode;
  $("replay").dataset.id = r.id;
  setStatus($("table-status"), "");
  const facts = [["Received", r.receivedAt], ["Last seen", r.lastSeenAt], ["Seen", String(r.seen)], ["Where", r.location || ""],
    ["Error", r.error], ["Status", r.status + (r.replayedAt ? " at " + r.replayedAt : "")], ["Content type", r.contentType || ""]];
  $("entry-facts").replaceChildren(...facts.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
  let records = null;
  if (r.rawEncoding === "records" && r.raw) {
    try { records = r.raw.split("\\n").filter(Boolean).map((l) => JSON.parse(l)); } catch { records = null; }
  }
  const pretty = (raw, json) => { if (json === false) return raw; try { return JSON.stringify(JSON.parse(raw), null, 1); } catch { return raw; } };
  if (records) {
    $("entry-records").replaceChildren(el("caption", {}, records.length + " record" + (records.length === 1 ? "" : "s") + " kept"),
      el("thead", {}, el("tr", {}, ...["Where", "Stage", "Code", "Error", "Record"].map((n) => el("th", { scope: "col" }, n)))),
      el("tbody", {}, ...records.map((x) => el("tr", {}, el("td", {}, x.location), el("td", {}, x.stage), el("td", {}, x.errorCode),
        el("td", { class: "wrap" }, x.error), el("td", {}, el("pre", { class: "record", tabindex: 0 }, pretty(x.raw, x.json)))))));
  } else $("entry-records").replaceChildren();
  const raw = records ? null : r.rawRef ? "The input is kept in the archive bucket at " + r.rawRef + " (too large to show here); Replay reads it from there."
    : r.rawEncoding === "base64" ? "Binary input (" + r.raw.length + " base64 characters)." : r.raw ? pretty(r.raw) : null;
  $("entry-raw").hidden = raw === null;
  $("entry-raw").textContent = raw || "";
  $("entry-title").focus();
}
$("entry-close").addEventListener("click", () => { $("entry-view").hidden = true; });
for (const action of ["ack", "close"]) $(action).addEventListener("click", async () => {
  try {
    const body = await apiJson("/v1/alerts/" + encodeURIComponent($(action).dataset.id) + "/" + action, { method: "POST" });
    await loadTable(false);
    await openAlert({ id: body.id });
    setStatus($("table-status"), "Alert " + body.status);
  } catch (e) { setStatus($("table-status"), e.message, true); }
});
$("replay").addEventListener("click", async () => {
  try {
    const body = await apiJson("/v1/quarantine/" + encodeURIComponent($("replay").dataset.id) + "/replay", { method: "POST" });
    setStatus($("table-status"), "Replay " + body.status + ": " + JSON.stringify(body.result));
  } catch (e) { setStatus($("table-status"), e.message, true); }
});
`;
