import { z } from "zod";

/**
 * Messages on the bucket-events queue: R2 event notifications (developers.cloudflare.com/r2/buckets/event-notifications; `eventTime`,
 * `size` and `eTag` are optional: deletes carry neither size nor eTag), and our own
 * continuation messages for files too big for one invocation.
 */
const r2Notification = z.looseObject({
  account: z.string().optional(),
  action: z.enum([
    "PutObject",
    "CopyObject",
    "CompleteMultipartUpload",
    "DeleteObject",
    "LifecycleDeletion",
  ]),
  bucket: z.string().min(1),
  object: z.looseObject({
    key: z.string().min(1),
    size: z.number().int().nonnegative().optional(),
    eTag: z.string().min(1).optional(),
  }),
  eventTime: z.string().optional(),
  copySource: z.looseObject({ bucket: z.string(), object: z.string() }).optional(),
});
export type R2Notification = z.infer<typeof r2Notification>;

export const continuation = z.object({
  kind: z.literal("auditflare.continue"),
  bucket: z.string(),
  key: z.string(),
  eTag: z.string(),
  /** The source, for a vendor's own bucket (S3, GCS); R2 files are routed by their prefix. */
  sourceId: z.string().optional(),
});
export type Continuation = z.infer<typeof continuation>;

/** An object in a vendor's own bucket, announced by SNS, SQS or Pub/Sub (one message each). */
export const externalObject = z.object({
  kind: z.literal("auditflare.object"),
  sourceId: z.string(),
  bucket: z.string(),
  key: z.string(),
  eTag: z.string(),
  size: z.number().int().nonnegative().nullable(),
});
export type ExternalObject = z.infer<typeof externalObject>;

export type BucketMessage =
  | { kind: "notification"; n: R2Notification }
  | { kind: "continue"; c: Continuation }
  | { kind: "object"; o: ExternalObject };

export function parseBucketMessage(
  body: unknown,
): { ok: true; value: BucketMessage } | { ok: false; error: string } {
  const c = continuation.safeParse(body);
  if (c.success) return { ok: true, value: { kind: "continue", c: c.data } };
  const o = externalObject.safeParse(body);
  if (o.success) return { ok: true, value: { kind: "object", o: o.data } };
  const n = r2Notification.safeParse(body);
  if (n.success) return { ok: true, value: { kind: "notification", n: n.data } };
  const issue = n.error.issues[0];
  return {
    ok: false,
    error: `not an R2 event notification: ${issue?.path.join(".") || "body"}: ${issue?.message}`,
  };
}

export const isDelete = (n: R2Notification) =>
  n.action === "DeleteObject" || n.action === "LifecycleDeletion";
