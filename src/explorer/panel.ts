/**
 * The Logs tab's side panel and columns (issue 30): a row's fields, empty ones hidden unless
 * "Show empty fields" is ticked; maps and arrays (actor, tags, resources, sourceFields,
 * enrichments) and the raw log as pretty, collapsible JSON; on every field: filter (the
 * filter's own field, else free text), exclude (the filter's fields), copy, add as a column.
 * The column chooser (#columns) shows or hides the default columns and the added ones; the
 * choice is kept in localStorage ("auditflare.columns"), never in the URL.
 */
export const PANEL = /* js */ `
const COLUMN_KEY = "auditflare.columns";
const colState = (() => {
  try { const s = JSON.parse(localStorage.getItem(COLUMN_KEY) || "null"); if (s && Array.isArray(s.hidden) && Array.isArray(s.extra)) return s; } catch {}
  return { hidden: [], extra: [] };
})();
/** A field of a row by path: "eventName", "sourceFields.psAction", "actor.email". */
function fieldAt(r, path) {
  let v = r;
  for (const k of path.split(".")) { if (v === null || v === undefined) return undefined; v = v[k]; }
  return v;
}
function activeColumns() {
  return [...COLUMNS.filter(([n]) => !colState.hidden.includes(n)),
    ...colState.extra.map((path) => [path, (r) => fieldAt(r, path)])];
}
function saveColumns(reload) {
  localStorage.setItem(COLUMN_KEY, JSON.stringify(colState));
  drawColumnChooser();
  if (reload) loaders.logs();
}
function drawColumnChooser() {
  const box = (name, checked, onchange) => el("label", { class: "check" },
    el("input", { type: "checkbox", checked: checked || undefined, "data-column": name, onchange }), name);
  $("columns-list").replaceChildren(
    ...COLUMNS.map(([n]) => box(n, !colState.hidden.includes(n), (e) => {
      colState.hidden = e.target.checked ? colState.hidden.filter((x) => x !== n) : [...colState.hidden, n];
      saveColumns(true);
    })),
    ...colState.extra.map((path) => box(path, true, () => {
      colState.extra = colState.extra.filter((x) => x !== path);
      saveColumns(true);
    })));
}
drawColumnChooser();
const isEmpty = (v) => v === null || v === undefined || v === "" ||
  (Array.isArray(v) && v.length === 0) || (typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0);
/** The value to filter on for a field; null when the filter has no field for it. */
const FILTER_OF = { sourceType: "sourceType", sourceID: "sourceID", eventName: "eventName", srcIP: "srcIP",
  srcASOrganization: "srcASOrganization", srcASCountryCode: "srcASCountryCode" };
function fieldFilter(path, v, r) {
  if (path === "actor" || path.startsWith("actor.")) return { field: "actor", value: path === "actor" ? actorOf(r) : String(v) };
  if (FILTER_OF[path]) return { field: FILTER_OF[path], value: String(v) };
  return null;
}
let panelRow = null;
function panelActions(path, v, r) {
  const f = typeof v === "object" ? (path === "actor" ? fieldFilter(path, v, r) : null) : fieldFilter(path, v, r);
  const label = path + (f ? " = " + f.value : "");
  const act = (cls, name, title, fn) => el("button", { type: "button", class: "act " + cls, "aria-label": title, title, onclick: fn }, name);
  const done = () => { $("panel").hidden = true; search(); };
  const scalar = typeof v !== "object";
  return el("span", { class: "acts" },
    f ? act("filter", "+", "Filter " + label, () => { form.elements[f.field].value = f.value; done(); })
      : scalar ? act("filter", "+", "Search the text " + String(v), () => { form.elements.q.value = String(v); done(); }) : null,
    f ? act("exclude", "−", "Exclude " + label, () => { excludes.push(f); done(); }) : null,
    act("copy", "⧉", "Copy " + path, async () => {
      const value = typeof v === "object" ? JSON.stringify(v, null, 2) : String(v);
      try { await navigator.clipboard.writeText(value); setStatus($("panel-status"), "Copied " + path); }
      catch { setStatus($("panel-status"), "Copy refused by the browser: select the value instead", true); }
    }),
    colState.extra.includes(path) ? null :
      act("column", "▦", "Add " + path + " as a column", () => { colState.extra.push(path); saveColumns(false); loaders.logs(); setStatus($("panel-status"), "Column " + path + " added"); }));
}
function valueNode(v) {
  if (typeof v !== "object" || v === null) return el("span", { class: "val" }, text(v));
  const json = JSON.stringify(v, null, 2);
  const n = Array.isArray(v) ? v.length + " items" : Object.keys(v).length + " keys";
  return el("details", { open: json.length < 400 || undefined }, el("summary", {}, (Array.isArray(v) ? "[…] " : "{…} ") + n), el("pre", { class: "json", tabindex: 0 }, json));
}
function panelFields(r) {
  const showEmpty = $("panel-empty").checked;
  const { rawLog, sourceFields, ...rest } = r;
  const entries = [...Object.entries(rest), ...Object.entries(sourceFields || {}).map(([k, v]) => ["sourceFields." + k, v])];
  const empty = entries.filter(([, v]) => isEmpty(v)).length;
  $("panel-empty-count").textContent = "(" + empty + ")";
  $("panel-fields").replaceChildren(...entries.filter(([, v]) => showEmpty || !isEmpty(v)).flatMap(([k, v]) =>
    [el("dt", {}, k), el("dd", { "data-field": k }, valueNode(v), panelActions(k, v, r))]));
}
function openPanel(r, tr) {
  panelRow = r;
  for (const x of $("rows").children) x.classList.toggle("selected", x === tr);
  $("panel-title").textContent = r.eventName + " · " + r.eventTime;
  setStatus($("panel-status"), "");
  panelFields(r);
  let raw = r.rawLog;
  try { raw = JSON.stringify(JSON.parse(r.rawLog), null, 2); } catch {}
  $("panel-raw").textContent = raw;
  const actor = actorOf(r);
  const link = (cls, field, value) => {
    const a = document.querySelector("#panel ." + cls);
    a.hidden = !value;
    const p = new URLSearchParams({ tab: "logs", [field]: value || "" });
    a.href = "?" + p;
    a.onclick = (e) => { e.preventDefault(); for (const f of FIELDS) form.elements[f].value = ""; excludes = []; form.elements[field].value = value; $("panel").hidden = true; search(); };
  };
  link("by-actor", "actor", actor);
  link("by-ip", "srcIP", r.srcIP);
  $("panel").hidden = false;
  $("panel-title").focus();
}
$("panel-empty").addEventListener("change", () => { if (panelRow) panelFields(panelRow); });
`;
