/**
 * The Alerts tab's filters and the alert view (issue 30): the list filtered by status, level and
 * rule (GET /v1/alerts); a row opens #alert-view with the rule, level (coloured), key, counts,
 * a timeline of its events and notes, its events as a table (GET /v1/alerts/:id) that opens in
 * Logs, and its notes (POST /v1/alerts/:id/notes, admin; the note's id is drawn once, so a
 * retried click stores it once).
 */
export const ALERTS = /* js */ `
const LEVELS = ["informational", "low", "medium", "high", "critical"];
const levelBadge = (level) => el("span", { class: "level level-" + level }, level);
let alertRulesLoaded = false;
async function alertFilters() {
  if (alertRulesLoaded) return;
  alertRulesLoaded = true;
  try {
    const { data } = await apiJson("/v1/rules");
    const ids = [...new Set(data.flatMap((f) => f.rules.map((x) => x.id)))].sort();
    $("alert-rule").replaceChildren(el("option", { value: "" }, "any"), ...ids.map((id) => el("option", { value: id }, id)));
  } catch (e) { alertRulesLoaded = false; }
}
function alertQuery() {
  const p = new URLSearchParams();
  for (const [id, name] of [["alert-status", "status"], ["alert-level", "level"], ["alert-rule", "ruleId"]]) {
    if ($(id).value) p.set(name, $(id).value);
  }
  return p;
}
for (const id of ["alert-status", "alert-level", "alert-rule"]) $(id).addEventListener("change", () => loadTable(false));
$("alert-filters").addEventListener("submit", (e) => { e.preventDefault(); loadTable(false); });
let alertOpen = null, noteId = null;
/** The filter that shows an alert's events in Logs: their time span and what they share. */
function logsLinkOf(events) {
  const p = new URLSearchParams({ tab: "logs" });
  if (!events.length) return p;
  const times = events.map((e) => Date.parse(e.eventTime));
  p.set("from", new Date(Math.min(...times)).toISOString());
  p.set("to", new Date(Math.max(...times) + 1000).toISOString());
  const same = (get) => { const v = get(events[0]); return v && events.every((e) => get(e) === v) ? v : null; };
  for (const [name, get] of [["sourceID", (e) => e.sourceID], ["eventName", (e) => e.eventName], ["actor", actorOf], ["srcIP", (e) => e.srcIP]]) {
    const v = same(get);
    if (v) p.set(name, v);
  }
  if (events.some((e) => e.sourceType === "auditflare")) p.set("self", "1");
  return p;
}
function timeline(a) {
  const t0 = Date.parse(a.firstSeen), t1 = Math.max(Date.parse(a.lastSeen), t0 + 1);
  const times = [...a.events.map((e) => ["event", Date.parse(e.eventTime), e.eventName]), ...a.notes.map((n) => ["note", Date.parse(n.at), n.text])];
  const lo = Math.min(t0, ...times.map((x) => x[1])), hi = Math.max(t1, ...times.map((x) => x[1]));
  const x = (t) => 20 + ((t - lo) / Math.max(1, hi - lo)) * 960;
  return el("svg:svg", { class: "timeline", viewBox: "0 0 1000 46", role: "img",
    "aria-label": "Timeline: first seen " + a.firstSeen + ", last seen " + a.lastSeen + ", " + a.events.length + " events, " + a.notes.length + " notes" },
    el("svg:line", { x1: 20, x2: 980, y1: 18, y2: 18, class: "axis" }),
    ...times.map(([kind, t, what]) => kind === "event"
      ? el("svg:circle", { cx: x(t), cy: 18, r: 5, class: "ev" }, el("svg:title", {}, new Date(t).toISOString() + " " + what))
      : el("svg:rect", { x: x(t) - 5, y: 8, width: 10, height: 10, class: "note" }, el("svg:title", {}, new Date(t).toISOString() + " note: " + what))),
    el("svg:text", { x: 20, y: 42, class: "lbl" }, new Date(lo).toISOString().slice(0, 19) + "Z"),
    el("svg:text", { x: 980, y: 42, class: "lbl", "text-anchor": "end" }, new Date(hi).toISOString().slice(0, 19) + "Z"));
}
async function openAlert(r) {
  alertOpen = null;
  const view = $("alert-view");
  view.hidden = false;
  for (const tr of $("rows2").children) tr.classList.toggle("selected", tr.dataset.id === r.id);
  setStatus($("alert-status-line"), "Loading…");
  try {
    const a = await apiJson("/v1/alerts/" + encodeURIComponent(r.id));
    alertOpen = a;
    noteId = null;
    $("alert-title").replaceChildren(levelBadge(a.level), " " + a.title);
    const facts = [["Rule", a.ruleId], ["Key", a.dedupKey], ["Status", a.status], ["Count", String(a.count)],
      ["First seen", a.firstSeen], ["Last seen", a.lastSeen], ["Source", a.sourceID || ""], ["Delivery", a.delivery]];
    $("alert-facts").replaceChildren(...facts.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
    $("alert-timeline").replaceChildren(timeline(a));
    const link = logsLinkOf(a.events);
    $("alert-open-logs").href = "?" + link;
    $("alert-open-logs").onclick = (e) => { e.preventDefault(); history.pushState(null, "", "?" + link); fromUrl(); };
    $("alert-events").replaceChildren(
      el("caption", {}, a.events.length + " of its events" + (a.count > a.events.length ? " (the first " + a.eventIds.length + " are kept; " + a.count + " matched)" : "")),
      el("thead", {}, el("tr", {}, ...["Event time", "Source", "Event", "Actor", "Source IP"].map((n) => el("th", { scope: "col" }, n)))),
      el("tbody", {}, ...a.events.map((e) => {
        const p = new URLSearchParams({ tab: "logs", sourceID: e.sourceID, eventName: e.eventName, from: e.eventTime, to: new Date(Date.parse(e.eventTime) + 1).toISOString() });
        if (e.sourceType === "auditflare") p.set("self", "1");
        return el("tr", { "data-id": e.id }, el("td", {}, el("a", { href: "?" + p, onclick: (ev) => { ev.preventDefault(); history.pushState(null, "", "?" + p); fromUrl(); } }, e.eventTime)),
          el("td", {}, e.sourceID), el("td", {}, e.eventName), el("td", {}, actorOf(e)), el("td", {}, e.srcIP || ""));
      })));
    drawNotes(a.notes);
    for (const b of ["ack", "close"]) { $(b).hidden = a.status === "closed"; $(b).dataset.id = a.id; }
    setStatus($("alert-status-line"), "");
    $("alert-title").focus();
  } catch (e) { setStatus($("alert-status-line"), e.message, true); }
}
function drawNotes(notes) {
  $("alert-notes").replaceChildren(...notes.map((n) => el("li", {}, el("strong", {}, n.author), " · ", el("time", { datetime: n.at }, n.at), el("p", {}, n.text))));
  if (!notes.length) $("alert-notes").append(el("li", { class: "empty" }, "No note yet."));
}
$("note-add").addEventListener("click", async () => {
  const textValue = $("note-text").value.trim();
  if (!alertOpen) return setStatus($("note-status"), "The alert is still loading", true);
  if (!textValue) return setStatus($("note-status"), "Write the note first", true);
  noteId = noteId || crypto.randomUUID();
  setStatus($("note-status"), "Saving…");
  try {
    await apiJson("/v1/alerts/" + encodeURIComponent(alertOpen.id) + "/notes", { method: "POST",
      headers: { "content-type": "application/json" }, body: JSON.stringify({ id: noteId, text: textValue }) });
    noteId = null;
    $("note-text").value = "";
    const a = await apiJson("/v1/alerts/" + encodeURIComponent(alertOpen.id));
    alertOpen = a;
    drawNotes(a.notes);
    $("alert-timeline").replaceChildren(timeline(a));
    setStatus($("note-status"), "Note added");
  } catch (e) { setStatus($("note-status"), e.message, true); }
});
$("alert-close-view").addEventListener("click", () => { $("alert-view").hidden = true; });
`;
