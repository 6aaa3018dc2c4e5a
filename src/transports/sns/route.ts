import { createRoute, z } from "@hono/zod-openapi";
import { routeSource, type SourceConfig } from "../../config";
import { AppError } from "../../lib/errors";
import { errorResponse, newRouter } from "../../lib/openapi";
import { fetchBounded, LIMITS, OutboundError } from "../../lib/outbound";
import type { Ports, PortsOf } from "../../ports";
import type { S3Config } from "../../vendors/fields";
import type { BucketSource } from "../bucket/kept";
import { handleS3Event } from "../bucket/s3-events";
import { readBodyText } from "../read-body";
import {
  checkSnsMessage,
  checkSnsUrl,
  parseSnsBody,
  type SnsMessage,
  verifySnsSignature,
} from "./verify";

/** SNS messages are at most 256 KiB; the envelope adds a little. */
const MAX_BODY_BYTES = 1024 * 1024;

const SnsResult = z
  .object({
    status: z.enum([
      "queued",
      "duplicate",
      "test_event",
      "quarantined",
      "confirmed",
      "unsubscribed",
    ]),
    objects: z.number().int().optional().openapi({ description: "objects queued for reading" }),
  })
  .openapi("SnsResult");

const route = createRoute({
  method: "post",
  path: "/v1/sns/{sourceId}",
  operationId: "snsNotification",
  tags: ["vendors", "ingest"],
  summary: "Amazon SNS subscription endpoint of an S3 bucket source",
  description:
    "Subscribe this URL (protocol https, raw message delivery off) to the SNS topic that receives the bucket's S3 event notifications. Every message's signature (SignatureVersion 1 or 2), topic (s3.topicArns) and age (s3.snsMaxAgeSeconds) is verified before anything is done; a SubscriptionConfirmation is confirmed here; each created object under the source's prefix is queued for reading. A MessageId already handled is answered 200 and does nothing. Authentication: no token (`security: []`); Amazon SNS signs every message, and an unsigned, badly signed, stale or foreign-topic message is 401.",
  security: [],
  request: {
    params: z.object({ sourceId: z.string() }),
    body: {
      content: {
        "text/plain": { schema: z.string().openapi({ description: "the SNS message (JSON)" }) },
      },
      required: true,
    },
  },
  responses: {
    200: { content: { "application/json": { schema: SnsResult } }, description: "handled" },
    400: errorResponse("not an SNS message"),
    401: errorResponse("signature, certificate URL, topic or timestamp not accepted"),
    404: errorResponse("unknown source, or not an S3 source with SNS topics"),
    413: errorResponse("body too large"),
    502: errorResponse(
      "the subscription could not be confirmed, or the signing certificate could not be fetched (sns_certificate_unavailable); SNS retries",
    ),
  },
});

type S3Source = BucketSource & { s3: S3Config };

const takesSns = (s: SourceConfig): s is S3Source =>
  "s3" in s && Boolean(s.s3) && (s as S3Source).s3.topicArns.length > 0;
const s3Source = (env: Env, id: string) =>
  routeSource(
    env,
    id,
    takesSns,
    "not_a_bucket_source",
    "has no s3.topicArns: it takes no SNS messages",
  );

/** Follows SubscribeURL (an SNS host, checked before) and records the subscription. */
async function confirm(ports: Ports, source: S3Source, m: SnsMessage, now: number) {
  const url = checkSnsUrl(m.SubscribeURL, "SubscribeURL");
  let error: string | null = null;
  let arn: string | null = null;
  try {
    const res = await fetchBounded(url.toString(), { redirect: "manual" }, LIMITS.small);
    if (!res.ok) error = `confirming at ${url.origin}: HTTP ${res.status}`;
    arn = res.text().match(/<SubscriptionArn>([^<]+)<\/SubscriptionArn>/)?.[1] ?? null;
  } catch (err) {
    const kind = err instanceof OutboundError ? `${err.kind}: ` : "";
    error = `confirming at ${url.origin}: ${kind}${(err as Error).message}`;
  }
  await ports.deliveries.saveSubscription({
    sourceID: source.id,
    topicArn: m.TopicArn,
    status: error ? "pending" : "confirmed",
    subscriptionArn: arn,
    updatedAt: now,
    lastError: error,
  });
  if (error)
    throw new AppError("bucket_read_failed", `the subscription was not confirmed: ${error}`);
}

/** A Notification: the S3 event's objects queued, a test event counted, anything else kept. */
async function notification(env: Env, ports: Ports, source: S3Source, m: SnsMessage, now: number) {
  const where = { location: `sns ${m.MessageId}`, raw: m.Message };
  const r = await handleS3Event(env, ports, source, m.Message, where, now);
  if (r.kind === "invalid") return { status: "quarantined" as const };
  if (r.kind === "test") return { status: "test_event" as const };
  return { status: "queued" as const, objects: r.objects.length };
}

/** The routes, reaching the state through `portsOf` (the entry wiring's, src/app.ts). */
export function snsRoutes(portsOf: PortsOf) {
  const routes = newRouter();
  routes.openapi(route, async (c) => {
    const ports = portsOf(c.env);
    const source = s3Source(c.env, c.req.param("sourceId"));
    const m = parseSnsBody(await readBodyText(c.req.raw, MAX_BODY_BYTES));
    const now = Date.now();
    checkSnsMessage(m, {
      topicArns: source.s3.topicArns,
      maxAgeSeconds: source.s3.snsMaxAgeSeconds,
      now,
    });
    await verifySnsSignature(c.env, m);
    if (await ports.deliveries.seen(source.id, m.MessageId))
      return c.json({ status: "duplicate" as const }, 200);
    let result: z.infer<typeof SnsResult>;
    if (m.Type === "SubscriptionConfirmation") {
      await confirm(ports, source, m, now);
      result = { status: "confirmed" };
    } else if (m.Type === "UnsubscribeConfirmation") {
      await ports.deliveries.saveSubscription({
        sourceID: source.id,
        topicArn: m.TopicArn,
        status: "unsubscribed",
        subscriptionArn: null,
        updatedAt: now,
        lastError: null,
      });
      result = { status: "unsubscribed" };
    } else result = await notification(c.env, ports, source, m, now);
    // Recorded only now: a failure above leaves the message to SNS's retry.
    await ports.deliveries.record(source.id, m.MessageId, now);
    return c.json(result, 200);
  });
  return routes;
}
