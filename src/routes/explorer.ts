import { newRouter } from "../lib/openapi";
import { SOURCE_TYPES } from "../vendors";

/**
 * The web explorer (GET /): one static page that calls the query API with the token the user
 * enters (kept in sessionStorage only). Everything is rendered with textContent, never HTML.
 */
const TABS = [
  ["logs", "Logs"],
  ["sources", "Sources"],
  ["quarantine", "Quarantine"],
  ["alerts", "Alerts"],
  ["rules", "Rules"],
] as const;

const PAGE = /* html */ `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>auditflare explorer</title>
<style>
  :root { font: 14px/1.4 system-ui, sans-serif; color: #1d2433; background: #f6f7f9; }
  body { margin: 0; }
  [hidden] { display: none !important; }
  header { background: #1d2433; color: #fff; padding: 10px 16px; display: flex; gap: 16px; align-items: center; }
  header h1 { font-size: 16px; margin: 0; }
  header nav button { background: none; border: 0; color: #cfd6e4; cursor: pointer; font: inherit; padding: 4px 8px; }
  header nav button[aria-selected="true"] { color: #fff; border-bottom: 2px solid #f6821f; }
  main { padding: 12px 16px; }
  form { display: flex; flex-wrap: wrap; gap: 8px; align-items: end; margin-bottom: 12px; }
  label { display: flex; flex-direction: column; font-size: 12px; color: #56607a; }
  input, select, button { font: inherit; padding: 4px 6px; }
  button.primary { background: #b45309; color: #fff; border: 0; border-radius: 3px; padding: 6px 12px; cursor: pointer; }
  table { border-collapse: collapse; width: 100%; background: #fff; }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e3e6ec; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 320px; }
  tbody tr { cursor: pointer; } tbody tr:hover { background: #fff4ea; }
  #status { color: #56607a; margin: 8px 0; } #status.error { color: #b42318; }
  pre { background: #fff; border: 1px solid #e3e6ec; padding: 8px; overflow: auto; max-height: 50vh; }
  footer { color: #56607a; font-size: 12px; padding: 12px 16px; }
</style></head>
<body>
<header><h1>auditflare</h1>
  <nav role="tablist" aria-label="Views">${TABS.map(([id, name], i) => `<button role="tab" data-tab="${id}" aria-selected="${i === 0}">${name}</button>`).join("")}</nav>
  <label style="margin-left:auto;color:#cfd6e4">Token <input id="token" type="password" autocomplete="off" placeholder="query or admin token" title="The query token reads; replaying needs the admin token"></label>
</header>
<main>
  <form id="filters">
    <label>Source type <select name="sourceType"><option value="">any</option>${SOURCE_TYPES.map((t) => `<option>${t}</option>`).join("")}</select></label>
    <label>Source ID <input name="sourceID" size="12"></label>
    <label>Event name <input name="eventName" size="18"></label>
    <label>Actor <input name="actor" size="16"></label>
    <label>Source IP <input name="srcIP" size="14"></label>
    <label>From (UTC) <input name="from" type="datetime-local" step="1"></label>
    <label>To (UTC) <input name="to" type="datetime-local" step="1"></label>
    <label>Order <select name="order"><option value="desc">newest first</option><option value="asc">oldest first</option></select></label>
    <button class="primary" type="submit">Search</button>
  </form>
  <div id="status"></div>
  <table><thead id="head"></thead><tbody id="rows"></tbody></table>
  <p><button id="more" hidden>Load more</button></p>
  <p><button id="replay" hidden>Replay this entry</button>
     <button id="ack" hidden>Acknowledge</button> <button id="close" hidden>Close</button></p>
  <pre id="detail" hidden></pre>
</main>
<footer>IP to AS / country data: <a href="https://db-ip.com">IP Geolocation by DB-IP</a>, RouteViews and NRO (CC BY 4.0).</footer>
<script>
const $ = (id) => document.getElementById(id);
const tokenInput = $("token");
tokenInput.value = sessionStorage.getItem("auditflare.token") || "";
tokenInput.addEventListener("change", () => sessionStorage.setItem("auditflare.token", tokenInput.value));
let tab = "logs", cursor = null;
const columns = {
  logs: [["eventTime", (r) => r.eventTime], ["source", (r) => r.sourceID], ["event", (r) => r.eventName],
         ["actor", (r) => r.actor.email || r.actor.name || r.actor.id || ""], ["srcIP", (r) => r.srcIP || ""],
         ["AS", (r) => (r.srcASNumber ? "AS" + r.srcASNumber + " " + (r.srcASOrganization || "") : "")]],
  sources: [["id", (r) => r.id], ["type", (r) => r.type], ["transport", (r) => r.transport],
            ["inserted", (r) => String(r.counts.inserted)], ["duplicates", (r) => String(r.counts.duplicates)],
            ["quarantined", (r) => String(r.counts.quarantined)], ["last event", (r) => r.lastEventTime || ""],
            ["last error", (r) => (r.lastError ? r.lastError.message : "")]],
  quarantine: [["received", (r) => r.receivedAt], ["source", (r) => r.sourceID || ""], ["stage", (r) => r.stage],
               ["code", (r) => r.errorCode], ["where", (r) => r.location || ""], ["error", (r) => r.error], ["seen", (r) => String(r.seen)]],
  alerts: [["first seen", (r) => r.firstSeen], ["last seen", (r) => r.lastSeen], ["level", (r) => r.level], ["title", (r) => r.title],
           ["key", (r) => r.dedupKey], ["count", (r) => String(r.count)], ["status", (r) => r.status], ["delivery", (r) => r.delivery]],
  rules: [["id", (r) => r.id], ["origin", (r) => r.origin], ["level", (r) => r.rules.map((x) => x.level).join(", ")],
          ["title", (r) => r.rules.map((x) => x.title).join(" / ")], ["matches", (r) => String(r.matches)], ["last match", (r) => r.lastMatchAt || ""]],
};
function status(text, error) { $("status").textContent = text; $("status").className = error ? "error" : ""; }
function header() {
  const tr = document.createElement("tr");
  for (const [name] of columns[tab]) { const th = document.createElement("th"); th.textContent = name; tr.append(th); }
  $("head").replaceChildren(tr);
}
function url() {
  if (tab === "sources") return "/v1/sources";
  if (tab === "rules") return "/v1/rules";
  const params = new URLSearchParams();
  if (tab === "logs") {
    for (const [k, v] of new FormData($("filters"))) {
      if (!v) continue;
      params.set(k, k === "from" || k === "to" ? new Date(v + "Z").toISOString() : v);
    }
  }
  params.set("limit", "100");
  if (cursor) params.set("cursor", cursor);
  return "/v1/" + tab + "?" + params;
}
// Behind Cloudflare Access the browser needs no token: Access vouches for the user.
const auth = () => (tokenInput.value ? { authorization: "Bearer " + tokenInput.value } : {});
async function load(append) {
  if (!append) { cursor = null; $("rows").replaceChildren(); for (const id of ["detail", "replay", "ack", "close"]) $(id).hidden = true; }
  header();
  status("Loading…");
  try {
    const res = await fetch(url(), { headers: auth() });
    const body = await res.json();
    if (!res.ok) return status(res.status + " " + body.error.code + ": " + body.error.message, true);
    for (const r of body.data) {
      const tr = document.createElement("tr");
      for (const [, get] of columns[tab]) { const td = document.createElement("td"); td.textContent = get(r); tr.append(td); }
      tr.addEventListener("click", () => open(r));
      $("rows").append(tr);
    }
    cursor = body.nextCursor || null;
    $("more").hidden = !cursor;
    status($("rows").children.length + " shown" + (cursor ? ", more available" : ""));
  } catch (err) { status("Request failed: " + err.message, true); }
}
// A row's details: an alert with its events, a rule file with its YAML, anything else as JSON.
async function open(r) {
  $("detail").hidden = false;
  $("detail").textContent = JSON.stringify(r, null, 2);
  $("replay").hidden = tab !== "quarantine";
  $("replay").dataset.id = r.id;
  for (const b of ["ack", "close"]) { $(b).hidden = tab !== "alerts" || r.status === "closed"; $(b).dataset.id = r.id; }
  if (tab === "alerts") {
    const events = await Promise.all(r.eventIds.map((id) =>
      fetch("/v1/logs/" + encodeURIComponent(id), { headers: auth() }).then((x) => (x.ok ? x.json() : { id, status: x.status }))));
    $("detail").textContent = JSON.stringify({ ...r, events }, null, 2);
  } else if (tab === "rules") {
    const res = await fetch("/v1/rules/" + encodeURIComponent(r.id), { headers: auth() });
    if (res.ok) $("detail").textContent = (await res.json()).yaml;
  }
}
for (const action of ["ack", "close"]) $(action).addEventListener("click", async () => {
  const res = await fetch("/v1/alerts/" + encodeURIComponent($(action).dataset.id) + "/" + action, { method: "POST", headers: auth() });
  const body = await res.json();
  if (!res.ok) return status(body.error.message, true);
  await load(false);
  status("Alert " + body.status);
});
$("filters").addEventListener("submit", (e) => { e.preventDefault(); load(false); });
$("more").addEventListener("click", () => load(true));
$("replay").addEventListener("click", async () => {
  const id = $("replay").dataset.id;
  const res = await fetch("/v1/quarantine/" + encodeURIComponent(id) + "/replay", {
    method: "POST", headers: auth(),
  });
  const body = await res.json();
  status(res.ok ? "Replay " + body.status + ": " + JSON.stringify(body.result) : body.error.message, !res.ok);
});
for (const b of document.querySelectorAll("nav button")) {
  b.addEventListener("click", () => {
    tab = b.dataset.tab;
    for (const o of document.querySelectorAll("nav button")) o.setAttribute("aria-selected", String(o === b));
    $("filters").hidden = tab !== "logs";
    load(false);
  });
}
// A link to #alerts (Slack messages carry one) opens that tab.
const linked = document.querySelector('nav button[data-tab="' + location.hash.slice(1) + '"]');
if (linked) linked.click(); else load(false).then(() => {
  if (!tokenInput.value && !$("rows").children.length) status("Enter the query token (or the admin token, to replay) top right, then Search (behind Cloudflare Access, none is needed).");
});
</script>
</body></html>`;

export const explorer = newRouter();

explorer.get("/", (c) =>
  c.html(PAGE, 200, {
    "content-security-policy":
      "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
    "x-frame-options": "DENY",
  }),
);
