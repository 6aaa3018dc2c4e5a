import { PAGE } from "../explorer/page";
import { newRouter } from "../lib/openapi";

/** GET /: the web explorer (src/explorer/), one static page; the API checks the token it sends. */
export const explorer = newRouter();

explorer.get("/", (c) =>
  c.html(PAGE, 200, {
    "content-security-policy":
      "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' blob:",
    "x-frame-options": "DENY",
  }),
);
