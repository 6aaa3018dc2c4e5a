/**
 * The Rules tab's editor (issue 25): a row of the rules table (or "New rule") opens the rule's
 * YAML in #rule-editor; Test runs it on pasted events, Backtest over stored events of a range
 * (POST /v1/rules/test), Save (PUT /v1/rules/:id) and Delete (runtime rules) need the admin
 * token: the query token's 403 is shown in #rule-error like any other API error. Saving a
 * bundled rule's id stores a runtime rule that replaces it (docs/detections.md). The checkbox
 * #rule-enabled (made here, beside Delete) enables or disables the open rule file
 * (POST /v1/rules/:id/enable|disable, admin); a refusal puts it back and shows the error.
 */
export const RULES = /* js */ `
const RULE_TEMPLATE = [
  "title: New rule",
  "id: my-new-rule",
  "status: experimental",
  "description: What this detects and why it matters.",
  "logsource:",
  "  product: turbopuffer",
  "detection:",
  "  selection:",
  "    eventName: api-key-created",
  "  condition: selection",
  "dedup:",
  "  - srcIP",
  "level: medium",
  "",
].join("\\n");
let ruleOrigin = null;
const ruleEnabled = el("input", { id: "rule-enabled", type: "checkbox" });
const ruleEnabledLabel = el("label", { id: "rule-enabled-label", hidden: true }, "Enabled ", ruleEnabled);
$("rule-delete").after(ruleEnabledLabel);
function showEnabled(r) {
  ruleEnabledLabel.hidden = !r;
  ruleEnabled.checked = !r || r.enabled !== false;
}
function ruleMessages(error, status) {
  setStatus($("rule-error"), error || "", Boolean(error));
  $("rule-status").textContent = status || "";
}
function showWarnings(warnings) {
  $("rule-warnings").replaceChildren(...(warnings || []).map((w) => el("li", {}, w)));
  $("rule-warnings-box").hidden = !warnings || warnings.length === 0;
}
/** A small table: columns [[header, (row) => text]], rows; caption for the screen reader. */
function resultTable(caption, columns, rows, attrs) {
  return el("table", { class: "rule-table" },
    el("caption", {}, caption),
    el("thead", {}, el("tr", {}, ...columns.map(([n]) => el("th", { scope: "col" }, n)))),
    el("tbody", {}, ...rows.map((r) => el("tr", attrs ? attrs(r) : {}, ...columns.map(([, get]) => el("td", { title: text(get(r)) }, text(get(r))))))));
}
function defaultRange() {
  const to = new Date(Math.ceil(Date.now() / 60000) * 60000);
  $("rule-to").value = toInput(to.toISOString());
  $("rule-from").value = toInput(new Date(to.getTime() - 86400000).toISOString());
}
/** Opens the editor on a rule file (null: a new rule from the template). */
async function openRule(r) {
  $("rule-editor").hidden = false;
  ruleMessages("", r ? "Loading " + r.id + "…" : "");
  showWarnings([]);
  $("rule-result").replaceChildren();
  if (!$("rule-from").value || !$("rule-to").value) defaultRange();
  if (!r) {
    ruleOrigin = null;
    $("rule-editor-title").textContent = "New rule";
    $("rule-id").value = "";
    $("rule-yaml").value = RULE_TEMPLATE;
    $("rule-delete").hidden = true;
    showEnabled(null);
    $("rule-yaml").focus();
    return;
  }
  ruleOrigin = r.origin;
  $("rule-editor-title").textContent = "Rule " + r.id + " (" + r.origin + ")";
  $("rule-id").value = r.id;
  $("rule-delete").hidden = r.origin !== "runtime";
  showEnabled(r);
  try {
    const file = await apiJson("/v1/rules/" + encodeURIComponent(r.id));
    showEnabled(file);
    $("rule-yaml").value = file.yaml || "";
    showWarnings(file.warnings);
    ruleMessages("", r.origin === "bundled" ? "A bundled rule: saving stores a runtime rule with this id that replaces it." : "");
  } catch (e) { ruleMessages(e.message); }
}
/** The id to save under: the field, else the YAML's (first) top-level id. */
function ruleId() {
  const typed = $("rule-id").value.trim();
  if (typed) return typed;
  const m = /^id:\\s*["']?([A-Za-z0-9_.-]+)/m.exec($("rule-yaml").value);
  if (m) $("rule-id").value = m[1];
  return m ? m[1] : "";
}
async function testRule(body, what) {
  ruleMessages("", what + "…");
  $("rule-result").replaceChildren();
  showWarnings([]);
  try {
    const r = await apiJson("/v1/rules/test", { method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ rule: $("rule-yaml").value, ...body }) });
    showWarnings(r.warnings);
    return r;
  } catch (e) { ruleMessages(e.message); return null; }
}
$("rule-test").addEventListener("click", async () => {
  let events;
  try {
    events = JSON.parse($("rule-events").value || "[]");
    if (!Array.isArray(events)) events = [events];
  } catch (e) { return ruleMessages("Events: not JSON (" + e.message + ")"); }
  const r = await testRule({ events }, "Testing");
  if (!r) return;
  const results = r.results || [];
  const matched = results.filter((x) => x.matches.length > 0).length;
  ruleMessages("", matched + " of " + results.length + " events matched");
  $("rule-result").replaceChildren(resultTable("Test: each pasted event's matches",
    [["event", (x) => "#" + x.index + " " + text(events[x.index] && events[x.index].eventName)],
     ["matched rules", (x) => x.matches.map((m) => m.ruleId).join(", ") || "none"],
     ["why", (x) => x.matches.map((m) => m.why.join("; ")).join(" / ")]],
    results, (x) => ({ "data-index": x.index, "data-matched": String(x.matches.length > 0) })));
});
$("rule-backtest").addEventListener("click", async () => {
  const from = fromInput($("rule-from").value), to = fromInput($("rule-to").value);
  if (!from || !to) return ruleMessages("Backtest: enter From and To (UTC)");
  const r = await testRule({ from, to }, "Backtesting");
  if (!r) return;
  if (!r.backtest) return ruleMessages("", "A scheduled rule: parsed (" + r.rules.map((x) => x.id).join(", ") + "); it is not backtested");
  const b = r.backtest;
  ruleMessages("", b.scanned + " events scanned from " + b.from + " to " + (b.truncated ? b.scannedThrough + " (stopped at a bound)" : b.to) +
    " · " + b.alertCount + " alerts · " + b.durationMs + " ms");
  $("rule-result").replaceChildren(
    resultTable("Matches per rule", [["rule", (x) => x[0]], ["matches", (x) => String(x[1])]],
      Object.entries(b.matches), (x) => ({ "data-rule": x[0], "data-count": x[1] })),
    resultTable("Alerts it would have raised (" + b.alertCount + ")", [["rule", (a) => a.ruleId], ["group", (a) => a.group],
      ["first seen", (a) => a.firstSeen], ["last seen", (a) => a.lastSeen], ["count", (a) => String(a.count)]], b.alerts),
    resultTable("Sample of matching events", [["event time", (s) => s.event.eventTime], ["source", (s) => s.event.sourceID],
      ["event", (s) => s.event.eventName], ["actor", (s) => (s.event.actor ? actorOf(s.event) : "")], ["source IP", (s) => s.event.srcIP || ""],
      ["rules", (s) => s.ruleIds.join(", ")]], b.sample));
});
$("rule-save").addEventListener("click", async () => {
  const id = ruleId();
  if (!id) return ruleMessages("Enter the rule id (the file's id: the rule's, or the correlation's)");
  ruleMessages("", "Saving…");
  showWarnings([]);
  try {
    const res = await api("/v1/rules/" + encodeURIComponent(id), { method: "PUT", headers: { "content-type": "application/yaml" }, body: $("rule-yaml").value });
    const saved = await res.json();
    ruleOrigin = saved.origin;
    $("rule-editor-title").textContent = "Rule " + saved.id + " (" + saved.origin + ")";
    $("rule-delete").hidden = saved.origin !== "runtime";
    showEnabled(saved);
    await loadTable(false);
    ruleMessages("", "Saved " + saved.id + (res.status === 201 ? " (created)" : " (replaced)") +
      (saved.warnings.length ? " with " + saved.warnings.length + " warnings" : ""));
    showWarnings(saved.warnings);
  } catch (e) { ruleMessages(e.message); }
});
$("rule-delete").addEventListener("click", async () => {
  const id = $("rule-id").value.trim();
  if (!id || !confirm("Delete the runtime rule " + id + "?")) return;
  try {
    await api("/v1/rules/" + encodeURIComponent(id), { method: "DELETE" });
    await loadTable(false);
    $("rule-editor").hidden = true;
    setStatus($("table-status"), "Deleted " + id);
  } catch (e) { ruleMessages(e.message); }
});
ruleEnabled.addEventListener("change", async () => {
  const id = $("rule-id").value.trim();
  const want = ruleEnabled.checked;
  ruleEnabled.disabled = true;
  ruleMessages("", (want ? "Enabling " : "Disabling ") + id + "…");
  try {
    const r = await apiJson("/v1/rules/" + encodeURIComponent(id) + (want ? "/enable" : "/disable"), { method: "POST" });
    showEnabled(r);
    await loadTable(false);
    ruleMessages("", (r.enabled ? "Enabled " + id + ": its rules run" : "Disabled " + id + ": its rules do not match or run (backtests still work)") +
      (r.changed ? "" : " (it already was)"));
  } catch (e) {
    ruleEnabled.checked = !want;
    ruleMessages(e.message);
  } finally { ruleEnabled.disabled = false; }
});
$("rule-new").addEventListener("click", () => openRule(null));
$("rule-close").addEventListener("click", () => { $("rule-editor").hidden = true; });
`;
