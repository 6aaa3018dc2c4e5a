import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { routeSource, type SourceConfig } from "../../config";
import { requireBearer } from "../../lib/auth";
import { AppError, describeError, type ErrorCode } from "../../lib/errors";
import { cidrContains, parseIP } from "../../lib/ip";
import { type AppEnv, errorResponse, ingestSecurity, newRouter } from "../../lib/openapi";
import { TooLargeError } from "../../lib/read-limited";
import { readSecret } from "../../lib/secrets";
import { verifyHmac } from "../../lib/signature";
import { DecodeError, decodeUtf8, inflate, isGzip } from "../../parse/bytes";
import { frameJson } from "../../parse/json";
import type { Ports, PortsOf } from "../../ports";
import { normalizerFor, vendorOf } from "../../vendors";
import type { PushAuth } from "../../vendors/types";
import { readBody, tooLarge } from "../read-body";

/** Default request-body cap (compressed and decompressed); a source may set maxBodyBytes. */
const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

const ACCEPTED_TYPES = new Set([
  "application/json",
  "application/x-ndjson",
  "application/ndjson",
  "application/jsonl",
  "application/x-jsonlines",
  "text/plain",
  "application/octet-stream",
  "application/gzip",
  "application/x-gzip",
]);

const IngestResult = z
  .object({
    received: z.number().int().openapi({ description: "records read from the body" }),
    inserted: z.number().int().openapi({ description: "new rows committed" }),
    duplicates: z.number().int().openapi({ description: "records already stored (not inserted)" }),
    quarantined: z.number().int().openapi({ description: "records kept aside with a reason" }),
  })
  .openapi("IngestResult");

const route = createRoute({
  method: "post",
  path: "/v1/ingest/{sourceId}",
  summary: "Push audit events to a push source",
  description:
    "Body: one JSON event, a JSON array, NDJSON, or an envelope object whose one array property holds the events; gzip accepted. Answers only after the rows are committed. Invalid events are quarantined one by one; a body that cannot be parsed is 400 and kept in quarantine.",
  operationId: "pushEvents",
  tags: ["ingest"],
  security: ingestSecurity,
  // Documentation only (plain schemas, not zod): the handler reads and frames the raw body after
  // the token check, so no validator may run before it.
  parameters: [
    {
      name: "Content-Encoding",
      in: "header",
      required: false,
      description:
        "gzip (or x-gzip) or deflate when the body is compressed; a gzip body is also recognised by its magic bytes without it.",
      schema: { type: "string", enum: ["gzip", "x-gzip", "deflate", "identity"] },
    },
  ],
  request: {
    params: z.object({ sourceId: z.string() }),
    body: {
      required: true,
      description:
        "The events, in any of these framings (the limit applies compressed and decompressed: 8 MiB unless the source sets maxBodyBytes). Also accepted as JSON/NDJSON: application/ndjson, application/jsonl, application/x-jsonlines, text/plain, application/octet-stream; gzip: application/x-gzip.",
      content: {
        "application/json": { schema: { $ref: "#/components/schemas/PushBody" } },
        "application/x-ndjson": {
          schema: { type: "string", description: "one JSON event per line" },
        },
        "application/gzip": {
          schema: {
            type: "string",
            contentMediaType: "application/gzip",
            description: "gzip-compressed JSON or NDJSON (or send it with Content-Encoding: gzip)",
          },
        },
      },
    },
  },
  responses: {
    200: { content: { "application/json": { schema: IngestResult } }, description: "committed" },
    400: errorResponse("body cannot be parsed (kept in quarantine)"),
    401: errorResponse("missing or wrong ingest token"),
    403: errorResponse("client IP not in the source's allow-list"),
    404: errorResponse("unknown source, or not a push source"),
    413: errorResponse("body too large"),
    415: errorResponse("unsupported content type or encoding"),
    503: errorResponse("storage failed; retrying is safe"),
  },
});

type PushSource = SourceConfig & { ingestTokenEnv: string };

const takesPush = (s: SourceConfig): s is PushSource =>
  "ingestTokenEnv" in s && Boolean(s.ingestTokenEnv);
const pushSource = (env: Env, sourceId: string) =>
  routeSource(env, sourceId, takesPush, "not_a_push_source", "does not accept pushed events");

function checkAllowedIP(source: SourceConfig, clientIP: string | undefined): void {
  if (!source.allowedCidrs?.length) return;
  const ip = clientIP ? parseIP(clientIP) : null;
  if (!ip || !source.allowedCidrs.some((c) => cidrContains(c, ip))) {
    throw new AppError(
      "ip_not_allowed",
      `client address ${clientIP ?? "(unknown)"} is not in the allow-list of source "${source.id}"`,
    );
  }
}

function checkContentType(header: string | undefined): void {
  if (!header) return;
  const type = header.split(";")[0]?.trim().toLowerCase() ?? "";
  if (type && !ACCEPTED_TYPES.has(type)) {
    throw new AppError(
      "unsupported_content_type",
      `content type "${type}" is not accepted; send application/json or application/x-ndjson`,
    );
  }
}

function contentEncoding(header: string | undefined): "gzip" | "deflate" | null {
  const enc = (header ?? "").trim().toLowerCase();
  if (enc === "" || enc === "identity") return null;
  if (enc === "gzip" || enc === "x-gzip") return "gzip";
  if (enc === "deflate") return "deflate";
  throw new AppError(
    "unsupported_content_encoding",
    `content encoding "${enc}" is not accepted; send gzip, deflate or identity`,
  );
}

/**
 * The checks before the body is read: token (a bearer vendor's), allow-list, content type and
 * encoding. Returns the secret, for a signing vendor's check of the body (`verifySigned`).
 */
async function admit(c: Context<AppEnv>, source: PushSource, auth: PushAuth) {
  const expected = readSecret(c.env, source.ingestTokenEnv);
  if (!expected) {
    throw new AppError(
      "ingest_token_not_configured",
      `source "${source.id}" has no ingest token: set the secret ${source.ingestTokenEnv}`,
    );
  }
  if (auth.kind === "bearer")
    await requireBearer(c.req.header("authorization"), expected, `source "${source.id}"`);
  checkAllowedIP(source, c.req.header("cf-connecting-ip"));
  checkContentType(c.req.header("content-type"));
  return { secret: expected, encoding: contentEncoding(c.req.header("content-encoding")) };
}

/** A signing vendor's delivery: its signature over the body as received, else a 401. */
async function verifySigned(c: Context<AppEnv>, auth: PushAuth, secret: string, wire: Uint8Array) {
  if (auth.kind !== "hmac") return;
  const check = await verifyHmac(auth, secret, {
    header: (name) => c.req.header(name),
    body: wire,
    now: Date.now(),
  });
  if (!check.ok)
    throw new AppError(
      "signature_invalid",
      `the delivery is not signed by the vendor: ${check.reason}`,
    );
}

/** Runs a store step; a storage failure is a 503 (retrying is safe) and goes into health. */
async function storing<T>(ports: Ports, source: PushSource, now: number, work: () => Promise<T>) {
  try {
    return await work();
  } catch (err) {
    console.error(`ingest ${source.id}: commit failed`, describeError(err));
    await ports.health.recordError(source.id, `storage: ${describeError(err)}`, now);
    throw new AppError("storage_unavailable", "the events could not be stored; retry later");
  }
}

/** A body that cannot be parsed: kept in quarantine whole (one record), then a 400. */
async function rejectBody(
  c: Context<AppEnv>,
  ports: Ports,
  source: PushSource,
  now: number,
  failure: { code: ErrorCode; message: string; raw: string | Uint8Array },
): Promise<never> {
  const entry = {
    sourceID: source.id,
    sourceType: source.type,
    stage: "parse",
    errorCode: failure.code,
    error: failure.message,
    location: "body",
    raw: failure.raw,
    contentType: c.req.header("content-type") ?? null,
  };
  await storing(ports, source, now, () => ports.ingest.unframed(source, entry, now));
  throw new AppError(failure.code, `${failure.message} (the body is kept in quarantine)`);
}

/** The routes, reaching the state through `portsOf` (the entry wiring's, src/app.ts). */
export function pushRoutes(portsOf: PortsOf) {
  const routes = newRouter();
  routes.openAPIRegistry.registerComponent("schemas", "PushEvent", {
    type: "object",
    additionalProperties: true,
    description:
      "One audit event as the source's vendor sends it (e.g. a turbopuffer audit event). An event the vendor's normalizer rejects is quarantined, not the whole body.",
  });
  routes.openAPIRegistry.registerComponent("schemas", "PushEnvelope", {
    type: "object",
    additionalProperties: true,
    description:
      "A wrapper whose one array property holds the events: data, events, logs, records, items, entries, results or audit_logs (any other name when every item is an event).",
  });
  routes.openAPIRegistry.registerComponent("schemas", "PushBody", {
    description: "One event, an array of events, or an envelope object holding them.",
    anyOf: [
      { $ref: "#/components/schemas/PushEvent" },
      { type: "array", items: { $ref: "#/components/schemas/PushEvent" } },
      { $ref: "#/components/schemas/PushEnvelope" },
    ],
  });

  routes.openapi(route, async (c) => {
    const now = Date.now();
    // The request's ctx: alerts this push made are queued after its response.
    const ports = portsOf(c.env, c.executionCtx);
    const source = pushSource(c.env, c.req.param("sourceId"));
    const auth = vendorOf(source.type).push?.auth ?? { kind: "bearer" };
    const admitted = await admit(c, source, auth);
    const maxBytes = ("maxBodyBytes" in source && source.maxBodyBytes) || DEFAULT_MAX_BODY_BYTES;
    const wire = await readBody(c.req.raw, maxBytes);
    await verifySigned(c, auth, admitted.secret, wire);
    const declaredEncoding = admitted.encoding;
    let text: string;
    try {
      const encoding = declaredEncoding ?? (isGzip(wire) ? "gzip" : null);
      text = decodeUtf8(encoding ? await inflate(wire, encoding, maxBytes) : wire);
    } catch (err) {
      if (err instanceof TooLargeError) throw tooLarge(maxBytes);
      if (!(err instanceof DecodeError)) throw err;
      return rejectBody(c, ports, source, now, { code: err.code, message: err.message, raw: wire });
    }
    const framed = frameJson(text, normalizerFor(source.type).isEvent);
    if (!framed.ok)
      return rejectBody(c, ports, source, now, {
        code: framed.code,
        message: framed.message,
        raw: text,
      });
    const result = await storing(ports, source, now, () =>
      ports.ingest.records(source, framed.records, { now }),
    );
    const { received, inserted, duplicates, quarantined } = result;
    return c.json({ received, inserted, duplicates, quarantined }, 200);
  });
  return routes;
}
