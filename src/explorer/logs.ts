/** The Logs tab: filters, chips, histogram (drag to zoom), facets and rows (panel.ts: the side panel, columns). */
export const LOGS = /* js */ `
const FIELDS = ["q", "sourceType", "sourceID", "eventName", "actor", "srcIP", "srcASOrganization", "srcASCountryCode"];
const FACETS = [["sourceType", "Source type"], ["eventName", "Event"], ["actor", "Actor"], ["srcIP", "Source IP"],
  ["srcASOrganization", "AS organization"], ["srcASCountryCode", "Country"]];
let excludes = [];
let cursor = null;
let lastRange = null;
const form = $("filters");
const DEFAULT_RANGE = "24h";
/** True when the filter asks for the collector's own events (checkbox, or naming the source). */
const wantsSelf = () => form.elements.self.checked || form.elements.sourceType.value === "auditflare" ||
  form.elements.sourceID.value.trim() === "auditflare";
/**
 * The filter as API parameters (no paging): form fields, exclusions, the range (a preset as
 * since=, or custom ISO from/to). For the API (forUrl false) the collector's own audit events
 * are left out unless asked for; the URL says self=1 instead.
 */
function filterParams(forUrl) {
  const p = new URLSearchParams();
  for (const f of FIELDS) { const v = form.elements[f].value.trim(); if (v) p.set(f, v); }
  for (const x of excludes) p.append("exclude", x.field + ":" + x.value);
  const since = form.elements.since.value;
  if (since) p.set("since", since);
  else for (const f of ["from", "to"]) { const v = form.elements[f].value; if (v) p.set(f, fromInput(v)); }
  if (forUrl) { if (form.elements.self.checked) p.set("self", "1"); }
  else if (!wantsSelf()) p.append("exclude", "sourceType:auditflare");
  return p;
}
function showRange() {
  // hidden, the custom range is also disabled: a text left in it that does not match its pattern
  // would otherwise keep the form from submitting, with nothing shown
  for (const x of form.querySelectorAll(".custom-range")) {
    x.hidden = form.elements.since.value !== "";
    for (const i of x.querySelectorAll("input")) i.disabled = x.hidden;
  }
}
function readFilters(params) {
  for (const f of FIELDS) form.elements[f].value = params.get(f) || "";
  for (const f of ["from", "to"]) form.elements[f].value = toInput(params.get(f));
  const since = params.get("since");
  const known = [...form.elements.since.options].some((o) => o.value && o.value === since);
  if (since && !known) form.elements.since.append(el("option", { value: since }, "Last " + since));
  form.elements.since.value = since || (params.get("from") || params.get("to") ? "" : DEFAULT_RANGE);
  form.elements.self.checked = params.get("self") === "1";
  showRange();
  excludes = params.getAll("exclude").map((x) => ({ field: x.slice(0, x.indexOf(":")), value: x.slice(x.indexOf(":") + 1) }))
    .filter((x) => x.field);
}
form.elements.since.addEventListener("change", () => {
  showRange();
  if (form.elements.since.value) return search();
  // Custom: start from the range shown, to edit
  if (lastRange && !form.elements.from.value) {
    form.elements.from.value = toInput(lastRange.from);
    form.elements.to.value = toInput(lastRange.to);
  }
  form.elements.from.focus();
});
form.elements.self.addEventListener("change", () => search());
// A select applies at once (a text field on Enter): the rows, the tail and the URL agree.
form.elements.sourceType.addEventListener("change", () => search());
function chips() {
  const list = [];
  for (const f of FIELDS) {
    const v = form.elements[f].value.trim();
    if (v) list.push(el("span", { class: "chip" }, (f === "q" ? "text" : f) + " = " + v,
      el("button", { type: "button", "aria-label": "Remove filter " + f, onclick: () => { form.elements[f].value = ""; search(); } }, "×")));
  }
  excludes.forEach((x, i) => list.push(el("span", { class: "chip not" }, x.field + " ≠ " + x.value,
    el("button", { type: "button", "aria-label": "Remove exclusion " + x.field, onclick: () => { excludes.splice(i, 1); search(); } }, "×"))));
  $("chips").replaceChildren(...list);
}
function search() { cursor = null; writeUrl(true); return loaders.logs(); }
form.addEventListener("submit", (e) => { e.preventDefault(); search(); });
const actorOf = (r) => r.actor.email || r.actor.name || r.actor.id || "";
const COLUMNS = [["Event time", (r) => r.eventTime], ["Source", (r) => r.sourceID], ["Event", (r) => r.eventName],
  ["Actor", actorOf], ["Source IP", (r) => r.srcIP || ""],
  ["AS", (r) => (r.srcASNumber ? "AS" + r.srcASNumber + " " + (r.srcASOrganization || "") : "")], ["Country", (r) => r.srcASCountryCode || ""]];
/** Where a page came from (issue 28): D1 (hot), the Parquet archive, or both, and its cost. */
function showTier(meta) {
  const a = meta && meta.archive;
  const rows = (meta && meta.rows) || { hot: 0, archive: 0 };
  const from = rows.archive && rows.hot ? "both tiers" : rows.archive ? "the archive" : "hot (D1)";
  let t = "Answered from " + from;
  if (a && a.objects) t += " · archive: " + a.objects + " objects, " + Math.round(a.bytes / 1024) + " KB read";
  if (a && a.cut) t += " · the archive read stopped at its " + a.cut + " bound: Load more goes on";
  $("tier").textContent = t;
}
let reading = null;
$("cancel-read").addEventListener("click", () => { if (reading) reading.abort(); });
/** One row of the Events table: click or Enter opens the side panel. */
function rowNode(r) {
  const tr = el("tr", { tabindex: 0, "data-id": r.id }, ...activeColumns().map(([, get]) => el("td", {}, text(get(r)))));
  tr.addEventListener("click", () => openPanel(r, tr));
  tr.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); openPanel(r, tr); } });
  return tr;
}
async function loadRows(append) {
  const p = filterParams();
  p.set("limit", "100");
  if (append && cursor) p.set("cursor", cursor);
  // a page that reads the archive can take seconds: say so and let it be cancelled
  if (reading) reading.abort();
  const ctl = (reading = new AbortController());
  const slow = setTimeout(() => { $("tier").textContent = "Reading the archive…"; $("cancel-read").hidden = false; }, 400);
  let body;
  try {
    body = await apiJson("/v1/logs?" + p, { signal: ctl.signal });
  } catch (e) {
    if (ctl.signal.aborted) { $("tier").textContent = "Cancelled"; return $("rows").children.length; }
    throw e;
  } finally {
    clearTimeout(slow);
    $("cancel-read").hidden = true;
    if (reading === ctl) reading = null;
  }
  showTier(body.meta);
  if (!append) {
    $("head").replaceChildren(el("tr", {}, ...activeColumns().map(([n]) => el("th", { scope: "col" }, n))));
    $("rows").replaceChildren();
  }
  for (const r of body.data) $("rows").append(rowNode(r));
  cursor = body.nextCursor || null;
  $("more").hidden = !cursor;
  return $("rows").children.length;
}
$("more").addEventListener("click", () => loadRows(true).catch((e) => setStatus($("status"), e.message, true)));
/** Source colours (contrast ≥ 3:1 on white), the ninth and later sources share "other". */
const PALETTE = ["#b45309", "#1d4ed8", "#15803d", "#7c3aed", "#be123c", "#0e7490", "#4d7c0f", "#a21caf"];
/** An axis label in UTC: "12-05" per day, else "12-05 14:00". */
const timeLabel = (t, interval) => new Date(t).toISOString().slice(5, interval === "day" ? 10 : 16).replace("T", " ");
async function drawHistogram() {
  const p = filterParams();
  p.set("by", "sourceID");
  const h = await apiJson("/v1/logs/histogram?" + p);
  lastRange = h;
  const svg = $("histogram");
  const totals = {};
  for (const b of h.buckets) for (const [s, n] of Object.entries(b.bySource || {})) totals[s] = (totals[s] || 0) + n;
  const sources = Object.keys(totals).sort((a, b) => totals[b] - totals[a] || (a < b ? -1 : 1));
  const colourOf = (s) => PALETTE[sources.indexOf(s)] || "#4a5468";
  const max = Math.max(1, ...h.buckets.map((b) => b.count));
  const w = 1000 / Math.max(1, h.buckets.length);
  svg.replaceChildren(...h.buckets.map((b, i) => {
    const x = i * w + w * 0.1, width = Math.max(w * 0.8, 0.5);
    let y = 100;
    const segs = sources.filter((s) => (b.bySource || {})[s]).map((s) => {
      const height = (b.bySource[s] / max) * 96;
      y -= height;
      return el("svg:rect", { class: "seg", x, width, y, height, fill: colourOf(s), "data-source": s, "data-count": b.bySource[s] });
    });
    const height = (b.count / max) * 96;
    return el("svg:g", {}, ...segs, el("svg:rect", { class: "bar", x, width, y: 100 - height, height,
      "data-count": b.count, "data-start": b.start, "data-end": b.end },
      el("svg:title", {}, b.start + ": " + b.count + (sources.length ? " (" + sources.filter((s) => (b.bySource || {})[s]).map((s) => s + " " + b.bySource[s]).join(", ") + ")" : ""))));
  }));
  svg.setAttribute("aria-label", h.total + " events from " + h.from + " to " + h.to + ", per " + h.interval);
  // axes: counts on the left (0, half, max), five times below; the half is left blank where it
  // is not a whole count and rounding it would be visibly wrong (a single event: "1, 1, 0")
  const half = max % 2 === 0 || max >= 20 ? String(Math.round(max / 2)) : "";
  $("y-axis").replaceChildren(el("span", {}, String(max)), el("span", {}, half), el("span", {}, "0"));
  const from = Date.parse(h.from), span = Date.parse(h.to) - from;
  $("x-axis").replaceChildren(...[0, 0.25, 0.5, 0.75, 1].map((f) =>
    el("span", { "data-at": f }, timeLabel(from + f * span, h.interval))));
  $("y-title").textContent = "events per " + h.interval;
  $("legend").replaceChildren(...sources.map((s) => el("li", { "data-source": s },
    el("span", { class: "swatch", "data-colour": colourOf(s) }), s + " (" + totals[s] + ")")));
  for (const sw of $("legend").querySelectorAll(".swatch")) sw.style.background = sw.dataset.colour;
  $("histogram-caption").textContent = h.total + " events, per " + h.interval + " (" + h.from.slice(0, 16) + " → " + h.to.slice(0, 16) + " UTC)";
}
// Drag across the chart to zoom: the dragged fraction of the range becomes from / to.
(function zoom() {
  const svg = $("histogram");
  let startX = null, band = null;
  const frac = (e) => { const r = svg.getBoundingClientRect(); return Math.min(1, Math.max(0, (e.clientX - r.left) / r.width)); };
  svg.addEventListener("mousedown", (e) => {
    startX = frac(e);
    band = el("svg:rect", { class: "selection", x: startX * 1000, y: 0, width: 0, height: 100 });
    svg.append(band);
    e.preventDefault();
  });
  svg.addEventListener("mousemove", (e) => {
    if (startX === null) return;
    const x = frac(e);
    band.setAttribute("x", Math.min(x, startX) * 1000);
    band.setAttribute("width", Math.abs(x - startX) * 1000);
  });
  window.addEventListener("mouseup", (e) => {
    if (startX === null || !lastRange) return;
    const [a, b] = [startX, frac(e)].sort((x, y) => x - y);
    startX = null;
    band.remove();
    const from = Date.parse(lastRange.from), span = Date.parse(lastRange.to) - from;
    if (b - a < 0.005) {
      // a click: zoom into the bar under the pointer
      const bar = lastRange.buckets[Math.min(lastRange.buckets.length - 1, Math.floor(a * lastRange.buckets.length))];
      if (!bar) return;
      return setRange(Date.parse(bar.start), Date.parse(bar.end));
    }
    setRange(from + a * span, from + b * span);
  });
})();
function setRange(from, to) {
  form.elements.since.value = "";
  showRange();
  form.elements.from.value = toInput(new Date(Math.floor(from / 1000) * 1000).toISOString());
  form.elements.to.value = toInput(new Date(Math.ceil(to / 1000) * 1000).toISOString());
  return search();
}
$("zoom-out").addEventListener("click", () => {
  if (!lastRange) return;
  const from = Date.parse(lastRange.from), to = Date.parse(lastRange.to), span = to - from;
  setRange(from - span, Math.min(Date.now() + 60000, to + span));
});
async function drawFacets() {
  const { facets } = await apiJson("/v1/logs/facets?" + filterParams());
  const icon = (cls, label, title, onclick) => el("button", { type: "button", class: "facet-act " + cls, "aria-label": title, title, onclick }, label);
  $("facets").replaceChildren(...FACETS.map(([f, label]) => el("section", { "data-facet": f },
    el("h2", {}, label),
    el("ul", {}, ...(facets[f] || []).map((x) => el("li", {}, el("button", {
      type: "button", class: "facet-value", "data-value": x.value, title: "Click: only " + x.value + ". Alt+click: exclude it.",
      onclick: (e) => facetClick(f, x.value, e.altKey),
    }, el("span", { class: "v" }, x.value), el("span", { class: "n" }, x.count)),
      icon("include", "+", "Only " + label + " " + x.value, () => facetClick(f, x.value, false)),
      icon("exclude", "−", "Exclude " + label + " " + x.value, () => facetClick(f, x.value, true))))))));
}
function facetClick(field, value, exclude) {
  if (exclude) excludes.push({ field, value });
  else form.elements[field].value = value;
  return search();
}
$("panel-close").addEventListener("click", () => { $("panel").hidden = true; });
document.addEventListener("keydown", (e) => { if (e.key === "Escape") $("panel").hidden = true; });
let savedLoaded = false;
loaders.logs = async () => {
  chips();
  tailReset();
  if (!savedLoaded) { savedLoaded = true; loadSaved("search", $("saved-search"), $("saved-status")); }
  setStatus($("status"), "Loading…");
  try {
    const [n] = await Promise.all([loadRows(false), drawHistogram(), drawFacets()]);
    setStatus($("status"), n + " shown" + (cursor ? ", more available" : ""));
  } catch (e) {
    setStatus($("status"), e.message + (tokenInput.value ? "" : " (enter the query token top right)"), true);
  }
};
`;
