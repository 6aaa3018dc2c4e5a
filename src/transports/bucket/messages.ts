import { z } from "zod";

/**
 * Messages on the bucket-events queue: R2 event notifications (VENDORS.md §6; `eventTime`,
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
});
export type Continuation = z.infer<typeof continuation>;

export type BucketMessage =
  | { kind: "notification"; n: R2Notification }
  | { kind: "continue"; c: Continuation };

export function parseBucketMessage(
  body: unknown,
): { ok: true; value: BucketMessage } | { ok: false; error: string } {
  const c = continuation.safeParse(body);
  if (c.success) return { ok: true, value: { kind: "continue", c: c.data } };
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
