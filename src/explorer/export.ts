/**
 * Export from Logs (issue 30): the current filter and range, oldest first, through the existing
 * streamed export (GET /v1/logs with Accept: application/x-ndjson: the Worker pages through D1
 * 500 rows at a time). NDJSON is saved as it arrives; CSV is converted line by line as the
 * stream is read (common columns, maps and arrays as JSON, vendor columns as one sourceFields
 * JSON cell). A cell that starts with = + - @ gets a leading ' so a spreadsheet does not run it.
 */
export const EXPORT = /* js */ `
const CSV_COLUMNS = ["id", "eventTime", "receivedAt", "sourceType", "sourceID", "eventName", "eventID", "readOnly", "actor",
  "srcIP", "srcASNumber", "srcASOrganization", "srcASCountryCode", "srcCity", "serviceName", "tags", "resources", "enrichments",
  "sourceFields", "rawLog"];
function csvCell(v) {
  let s = v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
  if (/^[=+\\-@\\t\\r]/.test(s)) s = "'" + s;
  return /[",\\r\\n]/.test(s) ? '"' + s.replaceAll('"', '""') + '"' : s;
}
async function exportLogs(format) {
  const p = filterParams();
  p.set("order", "asc");
  setStatus($("export-status"), "Exporting…");
  try {
    const res = await api("/v1/logs?" + p, { headers: { accept: "application/x-ndjson" } });
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    const parts = format === "csv" ? [CSV_COLUMNS.join(",") + "\\r\\n"] : [];
    let rest = "", n = 0;
    const line = (l) => {
      if (!l) return;
      n += 1;
      if (format === "csv") { const r = JSON.parse(l); parts.push(CSV_COLUMNS.map((c) => csvCell(r[c])).join(",") + "\\r\\n"); }
      else parts.push(l + "\\n");
    };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const lines = (rest + value).split("\\n");
      rest = lines.pop();
      lines.forEach(line);
      setStatus($("export-status"), "Exporting… " + n + " events");
    }
    line(rest);
    const type = format === "csv" ? "text/csv" : "application/x-ndjson";
    const a = el("a", { href: URL.createObjectURL(new Blob(parts, { type })),
      download: "auditflare-" + new Date().toISOString().slice(0, 19).replaceAll(":", "") + "Z." + (format === "csv" ? "csv" : "ndjson") });
    document.body.append(a); a.click(); a.remove();
    setStatus($("export-status"), "Exported " + n + " events as " + format.toUpperCase());
  } catch (e) { setStatus($("export-status"), e.message, true); }
}
$("export-ndjson").addEventListener("click", () => exportLogs("ndjson"));
$("export-csv").addEventListener("click", () => exportLogs("csv"));
`;
