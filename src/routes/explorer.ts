import { PAGE } from "../explorer/page";
import { newRouter } from "../lib/openapi";

/**
 * GET /: the web explorer (src/explorer/), one static page; the API checks the token it sends.
 * CSP (docs/explorer.md): script-src 'self' and worker-src 'self' only for DuckDB-WASM, the SQL
 * tab's Archive mode (its module and Web Worker under /duckdb/, the Worker's static assets).
 */
export const explorer = newRouter();

explorer.get("/", (c) =>
  c.html(PAGE, 200, {
    "content-security-policy":
      "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' blob:; worker-src 'self'",
    "x-frame-options": "DENY",
  }),
);
