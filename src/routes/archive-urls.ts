import { createRoute, z } from "@hono/zod-openapi";
import { ARCHIVE_KEY, signObject, URL_TTL_MS, verifyObject } from "../archive/signed-url";
import { AppError } from "../lib/errors";
import { bearerSecurity, errorResponse, newRouter, rejectUnknownParams } from "../lib/openapi";
import { readSecret } from "../lib/secrets";
import { toIso } from "../lib/time";
import { listManifest } from "../store/archive-manifest";
import { filterOf, isoTime } from "./logs";
import { requireQueryToken } from "./query-auth";

/**
 * SQL over the archive (issue 28): signed, short-lived, per-object URLs for the archive's Parquet
 * in a source and hour range (query token), and the ranged reads of those URLs (the signature is
 * the credential: DuckDB-WASM cannot set headers). Read-only: GET and HEAD of one object each.
 */

const MAX_OBJECTS = 2000;
const UrlsQuery = z.object({
  source: z.string().min(1).max(200).optional(),
  from: isoTime.openapi({ description: "hours from (inclusive, ISO-8601)" }),
  to: isoTime.openapi({ description: "hours before (exclusive, ISO-8601)" }),
});

const urlsRoute = createRoute({
  method: "get",
  path: "/v1/archive/urls",
  operationId: "archiveUrls",
  tags: ["archive"],
  summary: "Signed, short-lived URLs of the archive's Parquet objects in a source and hour range",
  description: `Each URL reads one object (GET with Range, or HEAD) for ${URL_TTL_MS / 60_000} minutes, without a token: for DuckDB (read_parquet over the list). At most ${MAX_OBJECTS} objects; a larger range answers 400.`,
  security: bearerSecurity,
  request: { query: UrlsQuery },
  responses: {
    200: {
      content: {
        "application/json": {
          schema: z
            .object({
              expires: z.string(),
              data: z.array(
                z.object({
                  source: z.string(),
                  hour: z.string(),
                  key: z.string(),
                  rows: z.number().int(),
                  bytes: z.number().int(),
                  url: z.string(),
                }),
              ),
            })
            .openapi("ArchiveUrls"),
        },
      },
      description: "one signed URL per object, oldest hour first",
    },
    400: errorResponse("a parameter is invalid, or the range holds too many objects"),
    401: errorResponse("missing or wrong query token"),
  },
});

export const archiveUrlRoutes = newRouter();
archiveUrlRoutes.use("/v1/archive/urls", requireQueryToken);

const KNOWN = new Set(Object.keys(UrlsQuery.shape));

archiveUrlRoutes.openapi(urlsRoute, async (c) => {
  rejectUnknownParams(c, KNOWN);
  const q = filterOf(c.req.valid("query"));
  const token = readSecret(c.env, "QUERY_API_TOKEN");
  if (!token) throw new AppError("query_token_not_configured", "QUERY_API_TOKEN is not set");
  const { entries } = await listManifest(c.env.DB, {
    sourceID: q.source,
    from: q.from,
    to: q.to,
    limit: MAX_OBJECTS + 1,
  });
  if (entries.length > MAX_OBJECTS) {
    throw new AppError(
      "invalid_parameter",
      `the range holds more than ${MAX_OBJECTS} archive objects; narrow it (from, to) or name a source`,
    );
  }
  const expires = Date.now() + URL_TTL_MS;
  const data = await Promise.all(
    [...entries].reverse().map(async (e) => ({
      source: e.sourceID,
      hour: toIso(e.hour),
      key: e.key,
      rows: e.rows,
      bytes: e.bytes,
      url: `/v1/archive/object/${e.key}?expires=${expires}&sig=${await signObject(token, e.key, expires)}`,
    })),
  );
  return c.json({ expires: toIso(expires), data }, 200);
});

/** GET/HEAD of a signed object URL: one object, Range honoured (206), nothing else. */
async function serveObject(c: {
  env: Env;
  req: {
    path: string;
    query: (k: string) => string | undefined;
    header: (k: string) => string | undefined;
    method: string;
  };
}): Promise<Response> {
  const key = decodeURIComponent(c.req.path.slice("/v1/archive/object/".length));
  const token = readSecret(c.env, "QUERY_API_TOKEN");
  const expires = Number(c.req.query("expires"));
  const sig = c.req.query("sig") ?? "";
  if (
    !token ||
    !ARCHIVE_KEY.test(key) ||
    !(await verifyObject(token, key, expires, sig, Date.now()))
  ) {
    throw new AppError(
      "signature_invalid",
      "the URL is not signed, has expired or names another object",
    );
  }
  const head = await c.env.ARCHIVE.head(key);
  if (!head) throw new AppError("not_found", "no such archive object");
  const size = head.size;
  const headers = new Headers({
    "accept-ranges": "bytes",
    "content-type": "application/vnd.apache.parquet",
    "cache-control": "private, max-age=60",
  });
  if (c.req.method === "HEAD") {
    headers.set("content-length", String(size));
    return new Response(null, { status: 200, headers });
  }
  const m = /^bytes=(\d*)-(\d*)$/.exec(c.req.header("range") ?? "");
  if (!m) {
    const object = await c.env.ARCHIVE.get(key);
    if (!object) throw new AppError("not_found", "no such archive object");
    headers.set("content-length", String(size));
    return new Response(object.body, { status: 200, headers });
  }
  const [start, end] =
    m[1] === ""
      ? [Math.max(0, size - Number(m[2])), size - 1]
      : [Number(m[1]), m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1)];
  if (start > end || start >= size) {
    return new Response(null, { status: 416, headers: { "content-range": `bytes */${size}` } });
  }
  const object = await c.env.ARCHIVE.get(key, {
    range: { offset: start, length: end - start + 1 },
  });
  if (!object) throw new AppError("not_found", "no such archive object");
  headers.set("content-range", `bytes ${start}-${end}/${size}`);
  headers.set("content-length", String(end - start + 1));
  return new Response(object.body, { status: 206, headers });
}

archiveUrlRoutes.on(["GET", "HEAD"], "/v1/archive/object/*", (c) => serveObject(c as never));
