import { createRoute, z } from "@hono/zod-openapi";
import { routeSource, type SourceConfig } from "../../config";
import { AppError } from "../../lib/errors";
import { fetchedKeys, JwtError, type KeySource, pinnedKeys, verifyJwt } from "../../lib/jwt";
import { errorResponse, newRouter, pubsubSecurity } from "../../lib/openapi";
import { OutboundError } from "../../lib/outbound";
import type { PortsOf } from "../../ports";
import type { GcsConfig } from "../../vendors/fields";
import type { BucketSource } from "../bucket/kept";
import type { ExternalObject } from "../bucket/messages";
import { enqueueObjects } from "../bucket/s3-events";
import { readBodyText } from "../read-body";

/**
 * Google Cloud Storage via Pub/Sub push (cloud.google.com/pubsub/docs/authenticate-push-subscriptions):
 * the push's `Authorization: Bearer` is a Google-signed OIDC token, verified (RS256 against
 * Google's JWKS, `aud` = gcs.pushAudience, `email` = gcs.pushServiceAccount, `email_verified`,
 * `exp`) before the body is read. The message is a GCS notification (JSON_API_V1): an
 * OBJECT_FINALIZE under the source's prefix is queued for reading; other events are skipped.
 */

const GOOGLE_JWKS_URL = "https://www.googleapis.com/oauth2/v3/certs";
const GOOGLE_ISSUERS = ["https://accounts.google.com", "accounts.google.com"];
const MAX_BODY_BYTES = 1024 * 1024;

const pushBody = z.looseObject({
  message: z.looseObject({
    data: z.string().default(""),
    attributes: z.record(z.string(), z.string()).default({}),
    messageId: z.string().min(1),
  }),
  subscription: z.string().optional(),
});

const objectResource = z.looseObject({
  bucket: z.string().min(1),
  name: z.string().min(1),
  generation: z.union([z.string(), z.number()]).transform(String),
  size: z.union([z.string(), z.number()]).optional(),
});

const GcsResult = z
  .object({
    status: z.enum(["queued", "duplicate", "skipped", "quarantined"]),
    objects: z.number().int().optional(),
  })
  .openapi("GcsResult");

const route = createRoute({
  method: "post",
  path: "/v1/gcs/{sourceId}",
  operationId: "gcsPush",
  tags: ["vendors", "ingest"],
  summary: "Pub/Sub push endpoint of a Google Cloud Storage bucket source",
  description:
    "Target of an authenticated Pub/Sub push subscription (wrapped messages) on the topic of the bucket's notification config (payload JSON_API_V1). The token is verified before anything is done; each OBJECT_FINALIZE under the source's prefix is queued for reading; a messageId already handled does nothing.",
  security: pubsubSecurity,
  request: {
    params: z.object({ sourceId: z.string() }),
    // Documentation only (a plain schema, not zod): the token is checked before the body is read.
    body: {
      required: true,
      description: "A wrapped Pub/Sub push message (Google sends it).",
      content: { "application/json": { schema: { $ref: "#/components/schemas/PubsubPush" } } },
    },
  },
  responses: {
    200: { content: { "application/json": { schema: GcsResult } }, description: "handled" },
    400: errorResponse("not a Pub/Sub push message"),
    401: errorResponse("missing or invalid push token"),
    404: errorResponse("unknown source, or not a GCS source"),
    413: errorResponse("body too large"),
    502: errorResponse(
      "Google's keys could not be fetched in time or within their size cap (upstream_failed); Pub/Sub retries",
    ),
  },
});

type GcsSource = BucketSource & { gcs: GcsConfig };

const readsGcs = (s: SourceConfig): s is GcsSource => "gcs" in s && Boolean(s.gcs);
const gcsSource = (env: Env, id: string) =>
  routeSource(env, id, readsGcs, "not_a_bucket_source", "reads no GCS bucket");

function googleKeys(env: Env): KeySource {
  const pinned = (env as { GOOGLE_JWKS?: unknown }).GOOGLE_JWKS;
  if (pinned) return pinnedKeys(typeof pinned === "string" ? pinned : JSON.stringify(pinned));
  return fetchedKeys(GOOGLE_JWKS_URL);
}

const unauthorized = (message: string) => new AppError("push_token_invalid", message);

/** The push token: Google-signed, for our audience, from the configured service account. */
async function admit(env: Env, source: GcsSource, authorization: string | undefined) {
  const token = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (!token) throw unauthorized("no Bearer token: enable authentication on the push subscription");
  let claims: Record<string, unknown>;
  try {
    claims = await verifyJwt(token, googleKeys(env), {
      audience: source.gcs.pushAudience,
      issuers: GOOGLE_ISSUERS,
    });
  } catch (err) {
    if (err instanceof JwtError) throw unauthorized(`push token refused: ${err.message}`);
    // Google's keys could not be had (Pub/Sub retries a 502): say which limit was hit.
    if (err instanceof OutboundError)
      throw new AppError("upstream_failed", `Google's keys: ${err.kind}: ${err.message}`);
    throw err;
  }
  if (claims.email !== source.gcs.pushServiceAccount)
    throw unauthorized(`push token is for ${String(claims.email)}, not gcs.pushServiceAccount`);
  if (claims.email_verified !== true) throw unauthorized("push token email is not verified");
}

async function readMessage(req: Request) {
  const text = await readBodyText(req, MAX_BODY_BYTES);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError("invalid_push_message", "the body is not JSON (a Pub/Sub push message is)");
  }
  const parsed = pushBody.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError(
      "invalid_push_message",
      `not a Pub/Sub push message: ${issue?.path.join(".") || "body"}: ${issue?.message}`,
    );
  }
  return parsed.data.message;
}

type Message = Awaited<ReturnType<typeof readMessage>>;

/** What the message asks: an object to read, something to skip, or a payload to keep. */
function objectOf(source: GcsSource, m: Message): ExternalObject | "skip" | { error: string } {
  if (m.attributes.eventType !== "OBJECT_FINALIZE") return "skip";
  let value: unknown;
  try {
    value = JSON.parse(
      new TextDecoder().decode(Uint8Array.from(atob(m.data), (c) => c.charCodeAt(0))),
    );
  } catch {
    return {
      error:
        "message.data is not base64 JSON (the notification's payload format must be JSON_API_V1)",
    };
  }
  const o = objectResource.safeParse(value);
  if (!o.success)
    return { error: `message.data is not a GCS object resource: ${o.error.issues[0]?.message}` };
  if (o.data.bucket !== source.gcs.bucket || !o.data.name.startsWith(source.gcs.prefix))
    return "skip";
  return {
    kind: "auditflare.object",
    sourceId: source.id,
    bucket: o.data.bucket,
    key: o.data.name,
    eTag: o.data.generation,
    size: o.data.size === undefined ? null : Number(o.data.size),
  };
}

/** The routes, reaching the state through `portsOf` (the entry wiring's, src/app.ts). */
export function gcsRoutes(portsOf: PortsOf) {
  const routes = newRouter();
  routes.openAPIRegistry.registerComponent("schemas", "PubsubPush", {
    type: "object",
    description:
      "A Pub/Sub push request (wrapped); message.data is the GCS object resource (JSON_API_V1).",
    required: ["message"],
    properties: {
      message: {
        type: "object",
        required: ["messageId"],
        properties: {
          data: { type: "string", contentEncoding: "base64", description: "the object resource" },
          attributes: {
            type: "object",
            additionalProperties: { type: "string" },
            description: "eventType (OBJECT_FINALIZE is read), bucketId, objectId, …",
          },
          messageId: { type: "string" },
          publishTime: { type: "string" },
        },
      },
      subscription: { type: "string" },
    },
  });

  routes.openapi(route, async (c) => {
    const ports = portsOf(c.env);
    const source = gcsSource(c.env, c.req.param("sourceId"));
    await admit(c.env, source, c.req.header("authorization"));
    const m = await readMessage(c.req.raw);
    const id = `pubsub ${m.messageId}`;
    if (await ports.deliveries.seen(source.id, id))
      return c.json({ status: "duplicate" as const }, 200);
    const now = Date.now();
    const o = objectOf(source, m);
    let result: z.infer<typeof GcsResult>;
    if (o === "skip") {
      await ports.health.countSkipped(source.id, 1);
      result = { status: "skipped" };
    } else if ("error" in o) {
      await ports.quarantine.keepWhole(
        {
          sourceID: source.id,
          sourceType: source.type,
          stage: "route",
          errorCode: "invalid_notification",
          error: o.error,
          location: id,
          raw: JSON.stringify(m),
          identity: `${source.id} ${id}`,
        },
        now,
      );
      result = { status: "quarantined" };
    } else {
      await enqueueObjects(c.env, [o]);
      result = { status: "queued", objects: 1 };
    }
    await ports.deliveries.record(source.id, id, now);
    return c.json(result, 200);
  });
  return routes;
}
