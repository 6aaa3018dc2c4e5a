import { describe, expect, it } from "vitest";
import { call } from "../helpers";

describe("GET / (web explorer)", () => {
  it("serves the page without a token, with a strict content security policy", async () => {
    const res = await call("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    // DuckDB-WASM (the SQL tab's Archive mode): its module and worker from the origin, no more
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/worker-src 'self'(;|$)/);
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).toContain("frame-ancestors 'none'");
    const html = await res.text();
    // the page's one inline script runs by its hash; no other inline script would
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    const script = html.slice(html.indexOf("<script>") + 8, html.indexOf("</script>"));
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(script));
    const hash = btoa(String.fromCharCode(...new Uint8Array(digest)));
    expect(csp).toContain(`script-src 'self' 'sha256-${hash}'`);
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).toContain('id="token"');
    for (const tab of ["logs", "sql", "sources", "quarantine", "alerts", "rules"])
      expect(html).toContain(`data-tab="${tab}"`);
    expect(html).toContain('"/v1/logs?"');
    expect(html).toContain('"/v1/saved');
    for (const id of [
      "histogram",
      "facets",
      "panel",
      "sql-query",
      "sources-table",
      "tail",
      "export-csv",
      "legend",
      "alert-view",
      "entry-view",
    ])
      expect(html).toContain(`id="${id}"`);
    // Issue 30: time fields are UTC ISO text, never the browser's datetime-local
    expect(html).not.toContain("datetime-local");
    expect(html).toContain('<option value="24h" selected>');
    expect(html).toContain('"/v1/alerts/"');
    expect(html).toContain("db-ip.com");
    expect(html).toContain("/replay");
    expect(html).not.toContain("innerHTML");
  });
});
