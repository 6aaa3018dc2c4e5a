import { SOURCE_TYPES } from "../vendors";
import { ALERTS } from "./alerts";
import { ARCHIVE_SQL } from "./archive-sql";
import { CORE } from "./core";
import { EXPORT } from "./export";
import { LOGS } from "./logs";
import { PANEL } from "./panel";
import { RULES } from "./rules";
import { SAVED } from "./saved";
import { SQL } from "./sql";
import { STYLE } from "./style";
import { TABLES } from "./tables";
import { TAIL } from "./tail";

/**
 * The web explorer (GET /): one static page, no framework and no external resource, that calls
 * the API with the token the user enters (kept in sessionStorage only; never in the URL). The
 * URL holds the tab and the filters, so a view can be shared. Everything is rendered with
 * textContent and DOM nodes, never HTML strings. Scripts: core.ts (token, tabs, URL, helpers),
 * logs.ts (filters, histogram, facets, rows, side panel), sql.ts (SQL tab), archive-sql.ts (its Archive mode: DuckDB-WASM), tables.ts (sources,
 * quarantine, alerts, rules), rules.ts (the Rules tab's editor).
 */

const TABS = [
  ["logs", "Logs"],
  ["sql", "SQL"],
  ["sources", "Sources"],
  ["quarantine", "Quarantine"],
  ["alerts", "Alerts"],
  ["rules", "Rules"],
] as const;

const field = (name: string, label: string, size: number) =>
  `<label>${label} <input name="${name}" size="${size}" autocomplete="off"></label>`;

/** The Logs tab's range presets (value: GET /v1/logs `since`; "" is a custom from/to). */
const RANGES = [
  ["15m", "Last 15 minutes"],
  ["1h", "Last hour"],
  ["24h", "Last 24 hours"],
  ["7d", "Last 7 days"],
  ["30d", "Last 30 days"],
  ["", "Custom (from / to)"],
] as const;

/** A time field: UTC ISO text (core.ts toInput/fromInput), never the browser's locale. */
const timeInput = (attrs: string) =>
  `<input ${attrs} type="text" size="21" placeholder="2026-01-31T09:00:00Z" autocomplete="off" spellcheck="false" pattern="\\d{4}-\\d{2}-\\d{2}([T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?)?\\s*(Z|[+\\-]\\d{2}:?\\d{2})?" title="UTC, ISO-8601: 2026-01-31T09:00:00Z (no zone means UTC; a date alone is its midnight)">`;

export const PAGE = /* html */ `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>auditflare explorer</title>
<style>${STYLE}</style></head>
<body>
<header><h1>auditflare</h1>
  <nav role="tablist" aria-label="Views">${TABS.map(([id, name], i) => `<button role="tab" id="tab-${id}" data-tab="${id}" aria-controls="view-${id === "logs" || id === "sql" || id === "sources" ? id : "table"}" aria-selected="${i === 0}">${name}</button>`).join("")}</nav>
  <label>Token <input id="token" type="password" autocomplete="off" placeholder="query or admin token" title="The query token reads; replaying needs the admin token. Kept in this tab only (sessionStorage)."></label>
</header>
<main>
<section id="view-logs" role="tabpanel" aria-labelledby="tab-logs">
  <form id="filters" role="search">
    <label>Search <input name="q" type="search" placeholder="text in event, actor, IP, resources, raw log" autocomplete="off"></label>
    <label>Source type <select name="sourceType"><option value="">any</option>${SOURCE_TYPES.map((t) => `<option>${t}</option>`).join("")}</select></label>
    ${field("sourceID", "Source ID", 10)}${field("eventName", "Event name", 16)}${field("actor", "Actor", 16)}${field("srcIP", "Source IP", 13)}
    ${field("srcASOrganization", "AS organization", 14)}${field("srcASCountryCode", "Country", 4)}
    <label>Range <select name="since">${RANGES.map(([v, n]) => `<option value="${v}"${v === "24h" ? " selected" : ""}>${n}</option>`).join("")}</select></label>
    <label class="custom-range">From (UTC ISO) ${timeInput('name="from"')}</label>
    <label class="custom-range">To (UTC ISO) ${timeInput('name="to"')}</label>
    <label class="check"><input name="self" type="checkbox"> auditflare's own events</label>
    <button class="primary" type="submit">Search</button>
  </form>
  <div class="bar saved-bar">
    <label>Saved searches <select id="saved-search"><option value="">choose…</option></select></label>
    <label>Name <input id="save-name" size="18" autocomplete="off" placeholder="name this search"></label>
    <label class="check"><input id="save-shared" type="checkbox" checked> shared</label>
    <button id="save-search" type="button" title="Saves the filter and range (the admin token writes)">Save search</button>
    <span id="saved-status" role="status"></span>
  </div>
  <div id="chips" role="group" aria-label="Active filters"></div>
  <figure>
    <div class="chart">
      <div id="y-title" class="y-title"></div>
      <div id="y-axis" class="y-axis" aria-hidden="true"></div>
      <svg id="histogram" role="img" aria-label="Events over time" viewBox="0 0 1000 100" preserveAspectRatio="none"></svg>
      <div></div><div></div>
      <div id="x-axis" class="x-axis" aria-hidden="true"></div>
    </div>
    <ul id="legend" aria-label="Sources (bar colours)"></ul>
    <figcaption><span id="histogram-caption"></span><button id="zoom-out" type="button">Zoom out</button><span>Drag across the chart to zoom into a range.</span></figcaption>
  </figure>
  <div class="toolbar"><div id="status" role="status" aria-live="polite"></div>
    <button id="tail" type="button" aria-pressed="false" title="Poll every 5 s for new events of this filter (their event time within the last 15 minutes) and put them on top">Live tail</button>
    <span id="tail-status" role="status"></span>
    <button id="export-ndjson" type="button" title="Every event of this filter and range, oldest first">Export NDJSON</button>
    <button id="export-csv" type="button" title="Every event of this filter and range, oldest first">Export CSV</button>
    <span id="export-status" role="status"></span></div>
  <div class="layout">
    <aside id="facets" aria-label="Top values (click or + to filter, − or Alt+click to exclude)"></aside>
    <div>
      <details id="columns"><summary>Columns</summary><div id="columns-list" role="group" aria-label="Columns shown"></div></details>
      <table aria-label="Events"><thead id="head"></thead><tbody id="rows"></tbody></table>
      <p><span id="tier" aria-live="polite"></span> <button id="cancel-read" type="button" hidden>Cancel</button> <button id="more" type="button" hidden>Load more</button></p>
    </div>
  </div>
</section>
<aside id="panel" role="dialog" aria-labelledby="panel-title" hidden>
  <button id="panel-close" type="button" aria-label="Close details">✕</button>
  <h2 id="panel-title" tabindex="-1"></h2>
  <div class="links"><a class="by-actor" href="#">Events by this actor</a><a class="by-ip" href="#">Events from this IP</a></div>
  <p class="bar"><label class="check"><input id="panel-empty" type="checkbox"> Show empty fields <span id="panel-empty-count"></span></label>
    <span id="panel-status" role="status"></span></p>
  <dl id="panel-fields"></dl>
  <details class="raw" open><summary>Raw log</summary><pre id="panel-raw"></pre></details>
</aside>
<section id="view-sql" role="tabpanel" aria-labelledby="tab-sql" hidden>
  <div class="sql">
    <div>
      <label for="sql-query">SQL (one SELECT over the views; Ctrl+Enter runs it)</label>
      <textarea id="sql-query" spellcheck="false">SELECT sourceType, count(*) AS n FROM logs GROUP BY sourceType ORDER BY n DESC</textarea>
      <fieldset class="bar" id="sql-mode"><legend>Run on</legend>
        <label class="check"><input type="radio" name="sql-mode" value="hot" checked> D1, the hot tier (the views listed)</label>
        <label class="check"><input type="radio" name="sql-mode" value="archive"> Archive: the Parquet in R2, read by DuckDB in this browser (the view <code>archive</code>)</label>
      </fieldset>
      <div id="sql-archive" class="bar" hidden>
        <label>Sources <input id="sql-sources" size="22" autocomplete="off" spellcheck="false" placeholder="all, or ids: airkit, circleci"></label>
        <label>From (UTC ISO) ${timeInput('id="sql-from"')}</label>
        <label>To (UTC ISO) ${timeInput('id="sql-to"')}</label>
        <span>Hours by <code>receivedAt</code>, from inclusive, to exclusive.</span>
      </div>
      <div class="bar">
        <label>Examples <select id="sql-examples"><option value="">choose an example…</option></select></label>
        <label>Row limit <input id="sql-limit" type="number" min="1" max="10000" value="1000"></label>
        <button id="sql-run" class="primary" type="button">Run</button>
        <button id="sql-csv" type="button">Download CSV</button>
        <button id="sql-cancel" type="button" hidden>Cancel</button>
      </div>
      <div class="bar">
        <label>Saved SQL <select id="saved-sql"><option value="">choose…</option></select></label>
        <label>Name <input id="sql-save-name" size="18" autocomplete="off" placeholder="name this query"></label>
        <label class="check"><input id="sql-save-shared" type="checkbox" checked> shared</label>
        <button id="sql-save" type="button" title="Saves the query (the admin token writes)">Save SQL</button>
        <span id="sql-saved-status" role="status"></span>
      </div>
      <div id="sql-error" role="alert" class="error"></div>
      <div id="sql-meta" role="status"></div>
      <div style="overflow:auto" tabindex="0" role="region" aria-label="Query result, scrollable"><table id="sql-result" aria-label="Query result"></table></div>
    </div>
    <aside id="sql-schema" aria-label="Views and columns"></aside>
  </div>
</section>
<section id="view-sources" role="tabpanel" aria-labelledby="tab-sources" hidden>
  <div id="sources-status" role="status"></div>
  <table id="sources-table" aria-label="Sources"><thead><tr><th>Source</th><th>Type</th><th>Transport</th><th>Health</th><th>Last event</th><th>Lag</th><th>Next poll</th><th>Events per hour, 24 h</th><th>Inserted</th><th>Quarantined</th><th>Last error</th></tr></thead><tbody></tbody></table>
</section>
<section id="view-table" role="tabpanel" hidden>
  <div id="table-status" role="status"></div>
  <form id="alert-filters" class="bar" hidden aria-label="Alert filters">
    <label>Status <select id="alert-status"><option value="">any</option><option>open</option><option>acknowledged</option><option>closed</option></select></label>
    <label>Level <select id="alert-level"><option value="">any</option><option>informational</option><option>low</option><option>medium</option><option>high</option><option>critical</option></select></label>
    <label>Rule <select id="alert-rule"><option value="">any</option></select></label>
  </form>
  <p id="rules-bar" hidden><button id="rule-new" type="button">New rule</button> Click a rule to edit, test or backtest it; saving and deleting need the admin token.</p>
  <table aria-label="Entries"><thead id="head2"></thead><tbody id="rows2"></tbody></table>
  <p><button id="more2" type="button" hidden>Load more</button></p>
  <div id="table-empty" class="empty-state" hidden></div>
  <pre id="detail" hidden></pre>
  <div id="entry-view" role="region" aria-labelledby="entry-title" hidden>
    <button id="entry-close" type="button" aria-label="Close the entry">✕</button>
    <h2 id="entry-title" tabindex="-1"></h2>
    <p class="bar"><button id="replay" class="primary" type="button">Replay this entry</button>
      <span>Runs the failed stage again after a fix (the admin token replays).</span></p>
    <dl id="entry-facts"></dl>
    <table id="entry-records" class="rule-table"></table>
    <pre id="entry-raw" tabindex="0" hidden></pre>
  </div>
  <div id="alert-view" role="region" aria-labelledby="alert-title" hidden>
    <button id="alert-close-view" type="button" aria-label="Close the alert">✕</button>
    <h2 id="alert-title" tabindex="-1"></h2>
    <div id="alert-status-line" role="status"></div>
    <dl id="alert-facts"></dl>
    <h3>Timeline <small>(● event, ■ note)</small></h3>
    <div id="alert-timeline"></div>
    <p><a id="alert-open-logs" href="#">Open these events in Logs</a></p>
    <p class="bar"><button id="ack" type="button" hidden>Acknowledge</button> <button id="close" type="button" hidden>Close</button></p>
    <table id="alert-events" class="rule-table"></table>
    <h3>Notes</h3>
    <ol id="alert-notes"></ol>
    <label for="note-text">Add a note (who and when are recorded; the admin token writes)</label>
    <textarea id="note-text" rows="3"></textarea>
    <div class="bar"><button id="note-add" type="button">Add note</button><span id="note-status" role="status"></span></div>
  </div>
  <div id="rule-editor" role="region" aria-labelledby="rule-editor-title" hidden>
    <h2 id="rule-editor-title">Rule</h2>
    <button id="rule-close" type="button" aria-label="Close the rule editor">✕</button>
    <label>Rule id (the file's: the rule's id, or its correlation's) <input id="rule-id" size="40" autocomplete="off" spellcheck="false" placeholder="taken from the YAML's id when empty"></label>
    <label for="rule-yaml">Sigma YAML</label>
    <textarea id="rule-yaml" spellcheck="false"></textarea>
    <div class="bar">
      <button id="rule-save" class="primary" type="button">Save</button>
      <button id="rule-delete" type="button" hidden>Delete</button>
      <label>From (UTC ISO) ${timeInput('id="rule-from"')}</label>
      <label>To (UTC ISO) ${timeInput('id="rule-to"')}</label>
      <button id="rule-backtest" type="button">Backtest</button>
    </div>
    <details>
      <summary>Test on pasted events</summary>
      <label for="rule-events">Events: a JSON array of rows as GET /v1/logs returns them</label>
      <textarea id="rule-events" spellcheck="false">[]</textarea>
      <div class="bar"><button id="rule-test" type="button">Test</button></div>
    </details>
    <div id="rule-error" role="alert" class="error"></div>
    <div id="rule-status" role="status"></div>
    <div id="rule-warnings-box" hidden><h3>Warnings</h3><ul id="rule-warnings"></ul></div>
    <div id="rule-result"></div>
  </div>
</section>
</main>
<footer>IP to AS / country data: <a href="https://db-ip.com">IP Geolocation by DB-IP</a>, RouteViews and NRO (CC BY 4.0).</footer>
<script>
${CORE}
${LOGS}
${PANEL}
${TAIL}
${EXPORT}
${SQL}
${ARCHIVE_SQL}
${SAVED}
${TABLES}
${ALERTS}
${RULES}
start();
</script>
</body></html>`;
