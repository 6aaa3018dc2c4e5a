import { createRoute, z } from "@hono/zod-openapi";
import { routeSource, type SourceConfig } from "../../config";
import { AppError } from "../../lib/errors";
import { adminSecurity, errorResponse, newRouter } from "../../lib/openapi";
import { readLimited, TooLargeError } from "../../lib/read-limited";
import { readSecret } from "../../lib/secrets";
import { requireAdminToken } from "../../routes/query-auth";
import type { R2Notification } from "./messages";

/** Workers accept request bodies up to 100 MB on the Free and Pro plans. */
const MAX_UPLOAD_BYTES = 100 * 1024 * 1024;
/** Without a Content-Length the body must be buffered to be stored; keep that bounded. */
const MAX_UNSIZED_UPLOAD_BYTES = 32 * 1024 * 1024;

const route = createRoute({
  method: "post",
  path: "/v1/sources/{sourceId}/files",
  operationId: "uploadFile",
  tags: ["ingest", "sources"],
  summary: "Upload a file (e.g. a CircleCI CSV export or an Airkit file) for a bucket source",
  description:
    "The body is stored in the landing bucket under the source's prefix and processed by the same queue consumer as vendor-written files (any framing: JSON, NDJSON, CSV, gzip). Up to 100 MB with a Content-Length (streamed to R2), 32 MB without.",
  security: adminSecurity,
  request: {
    params: z.object({ sourceId: z.string() }),
    query: z.object({
      name: z
        .string()
        .regex(
          /^[A-Za-z0-9._-]{1,200}$/,
          "must be 1-200 characters of A-Z, a-z, 0-9, '.', '_' or '-'",
        )
        .optional(),
    }),
    // Documentation only (a plain schema, not zod): the body is streamed to R2 as sent.
    body: {
      required: true,
      description: "The file as exported by the vendor: JSON, NDJSON, CSV, or any of them gzipped.",
      content: {
        "application/octet-stream": {
          schema: { type: "string", contentMediaType: "application/octet-stream" },
        },
        "text/csv": { schema: { type: "string" } },
        "application/x-ndjson": { schema: { type: "string" } },
        "application/gzip": { schema: { type: "string", contentMediaType: "application/gzip" } },
      },
    },
  },
  responses: {
    202: {
      content: { "application/json": { schema: z.object({ key: z.string() }) } },
      description: "stored; it will be ingested by the queue consumer",
    },
    400: errorResponse("empty body or bad name"),
    401: errorResponse("missing or wrong token"),
    403: errorResponse("the query token only reads: uploading needs the admin token"),
    404: errorResponse("unknown source, or not a bucket source"),
    413: errorResponse("file too large"),
  },
});

const hasPrefix = (s: SourceConfig): s is SourceConfig & { prefix: string } =>
  "prefix" in s && Boolean(s.prefix);

export const filesRoutes = newRouter();
filesRoutes.use("/v1/sources/:sourceId/files", requireAdminToken);

filesRoutes.openapi(route, async (c) => {
  const id = c.req.param("sourceId");
  const source = routeSource(c.env, id, hasPrefix, "not_a_bucket_source", "has no bucket prefix");
  const { prefix } = source;
  const declared = c.req.header("content-length");
  const length = declared === undefined ? null : Number(declared);
  if (length !== null && length > MAX_UPLOAD_BYTES) {
    throw new AppError("body_too_large", `files are limited to ${MAX_UPLOAD_BYTES} bytes`);
  }
  let body: ReadableStream<Uint8Array> | Uint8Array | null = c.req.raw.body;
  if (body && length === null) {
    try {
      body = await readLimited(body, MAX_UNSIZED_UPLOAD_BYTES);
    } catch (err) {
      if (err instanceof TooLargeError) {
        throw new AppError(
          "body_too_large",
          `send a Content-Length header for files over ${MAX_UNSIZED_UPLOAD_BYTES} bytes`,
        );
      }
      throw err;
    }
  }
  if (!body || length === 0 || (body instanceof Uint8Array && body.byteLength === 0)) {
    throw new AppError("empty_body", "the file is empty");
  }

  const now = new Date();
  const name = c.req.valid("query").name ?? "upload";
  const key = `${prefix}${prefix.endsWith("/") ? "" : "/"}uploads/${now.toISOString().slice(0, 10)}/${now.getTime()}-${crypto.randomUUID().slice(0, 8)}-${name}`;
  const object = await c.env.LANDING.put(key, body, {
    httpMetadata: { contentType: c.req.header("content-type") ?? "application/octet-stream" },
    // Rows from this file say how they came (tags.auditflareOrigin = "upload").
    customMetadata: { auditflareOrigin: "upload", sourceID: id },
  });
  if (!object) throw new AppError("storage_unavailable", "the file could not be stored; retry");
  // Local R2 emits no event notifications: in `npm start` the route sends the one R2 would.
  if (readSecret(c.env, "EMIT_LOCAL_NOTIFICATIONS") === "true") {
    const notification: R2Notification = {
      account: "local",
      action: "PutObject",
      bucket: "auditflare-landing",
      object: { key, size: object.size, eTag: object.etag },
      eventTime: now.toISOString(),
    };
    await c.env.BUCKET_EVENTS.send(notification, { contentType: "json" });
  }
  return c.json({ key }, 202);
});
