/** The explorer's shared script: helpers, the token, tabs and the URL (src/explorer/page.ts). */
export const CORE = /* js */ `
"use strict";
const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
function el(tag, attrs, ...children) {
  const node = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== undefined && c !== null) node.append(typeof c === "string" || typeof c === "number" ? String(c) : c);
  return node;
}
const text = (v) => (v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v));
const tokenInput = $("token");
tokenInput.value = sessionStorage.getItem("auditflare.token") || "";
// Behind Cloudflare Access the browser needs no token: Access vouches for the user.
const auth = () => (tokenInput.value ? { authorization: "Bearer " + tokenInput.value } : {});
/** fetch + JSON; throws an Error whose message is the API's (status, code, message). */
async function api(path, init) {
  const res = await fetch(path, { ...(init || {}), headers: { ...auth(), ...((init && init.headers) || {}) } });
  if (res.ok) return res;
  let message = res.status + " " + res.statusText;
  try { const b = await res.json(); if (b.error) message = res.status + " " + b.error.code + ": " + b.error.message; } catch {}
  throw new Error(message);
}
const apiJson = async (path, init) => (await api(path, init)).json();
function setStatus(node, message, error) { node.textContent = message; node.classList.toggle("error", Boolean(error)); }
/**
 * The time fields (Logs and Rules) are text in UTC ISO, as the tables show times: ISO → the
 * field's value ("2026-12-05T14:00:00Z", milliseconds only when there are some), and back. A
 * value without a zone is UTC; a date alone is its midnight UTC. What is not a time is passed on
 * as typed, so the API's 400 names the field.
 */
const toInput = (iso) => {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toISOString().replace(".000Z", "Z");
};
const fromInput = (v) => {
  v = (v || "").trim();
  if (!v) return "";
  const m = /^(\\d{4}-\\d{2}-\\d{2})(?:[T ](\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,3})?)?))?\\s*(Z|[+-]\\d{2}:?\\d{2})?$/i.exec(v);
  if (!m) return v;
  const t = Date.parse(m[1] + "T" + (m[2] || "00:00") + (m[2] && m[2].length === 5 ? ":00" : "") + (m[3] || "Z").toUpperCase());
  return Number.isNaN(t) ? v : new Date(t).toISOString();
};
let tab = "logs";
const views = { logs: "view-logs", sql: "view-sql", sources: "view-sources" };
const loaders = {};
/** Selects tab \`name\` and shows its view, without loading anything. */
function selectTab(name) {
  tab = name;
  for (const b of document.querySelectorAll("nav [role=tab]")) b.setAttribute("aria-selected", String(b.dataset.tab === name));
  for (const id of ["view-logs", "view-sql", "view-sources", "view-table"]) $(id).hidden = id !== (views[name] || "view-table");
  $("view-table").setAttribute("aria-labelledby", "tab-" + name);
  $("panel").hidden = true;
}
function showTab(name, push) {
  selectTab(name);
  if (push) writeUrl(true);
  return (loaders[name] || loaders.table)();
}
/** The URL holds the tab and, on Logs, the filters (never the token). */
function writeUrl(push) {
  const params = tab === "logs" ? filterParams(true) : new URLSearchParams();
  params.set("tab", tab);
  const url = location.pathname + "?" + params;
  if (url !== location.pathname + location.search) history[push ? "pushState" : "replaceState"](null, "", url);
}
function start() {
  for (const b of document.querySelectorAll("nav [role=tab]")) b.addEventListener("click", () => showTab(b.dataset.tab, true));
  // Enter applies the token (and reloads the tab); leaving the field (change) applies it only
  // when it differs from the token in use: leaving it right after Enter reloads nothing, so the
  // click that moved the focus (on a row, a facet) is not undone by a reload of the tab under it.
  let applied = tokenInput.value;
  const reload = (always) => {
    if (!always && tokenInput.value === applied) return;
    applied = tokenInput.value;
    sessionStorage.setItem("auditflare.token", applied);
    showTab(tab, false);
  };
  tokenInput.addEventListener("change", () => reload(false));
  tokenInput.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); reload(true); } });
  window.addEventListener("popstate", () => fromUrl());
  fromUrl();
}
function fromUrl() {
  const params = new URLSearchParams(location.search);
  // a link to #alerts (Slack messages carry one) opens that tab
  const name = params.get("tab") || location.hash.slice(1) || "logs";
  readFilters(params);
  // compared as text, not put in a selector: a link's ?tab=x"] must not stop the page
  const known = [...document.querySelectorAll("nav [data-tab]")].some((b) => b.dataset.tab === name) ? name : "logs";
  if (tokenInput.value) return showTab(known, false);
  // No token yet: show the tab but ask first (behind Cloudflare Access none is needed: Search).
  selectTab(known);
  setStatus($("status"), "Enter the query token top right (or the admin token, to replay), then press Enter. Behind Cloudflare Access none is needed: press Search.");
}
`;
