import { PAGE } from "../explorer/page";
import { newRouter } from "../lib/openapi";

/**
 * GET /: the web explorer (src/explorer/), one static page; the API checks the token it sends.
 * CSP (docs/explorer.md): the page's one inline script by its SHA-256 (no 'unsafe-inline':
 * an injected script would not run), script-src 'self' and worker-src 'self' only for
 * DuckDB-WASM, the SQL tab's Archive mode (its module and Web Worker under /duckdb/, the
 * Worker's static assets); never framed, no <base>, forms post only here.
 */
export const explorer = newRouter();

/** The text of the page's inline script, as the browser hashes it (between its tags). */
function inlineScript(page: string): string {
  const open = page.indexOf("<script>") + "<script>".length;
  return page.slice(open, page.indexOf("</script>", open));
}

let policy: string | undefined;
/**
 * The page's Content-Security-Policy, its script's hash computed once per isolate (kept as a
 * value, never as a promise another request would await).
 */
async function csp(): Promise<string> {
  if (policy === undefined) {
    const d = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(inlineScript(PAGE)));
    const hash = btoa(String.fromCharCode(...new Uint8Array(d)));
    policy = `default-src 'none'; script-src 'self' 'sha256-${hash}'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' blob:; worker-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'`;
  }
  return policy;
}

explorer.get("/", async (c) =>
  c.html(PAGE, 200, { "content-security-policy": await csp(), "x-frame-options": "DENY" }),
);
