import { findSource } from "./config";
import { normalizerFor } from "./normalize";
import { frameJson } from "./parse/json";
import { prepareRecords } from "./pipeline";
import { type BucketMessage, parseBucketMessage, type R2Notification } from "./queue/messages";
import { commit } from "./store/ingest";
import type { QuarantineRow } from "./store/schema";

export type ReplayOutcome =
  | { status: "replayed"; result: { received: number; inserted: number; duplicates: number } }
  | { status: "queued"; result: { key: string } }
  | { status: "failed"; code: string; message: string };

/**
 * Replays one quarantine entry after a fix (config, code, or the input itself):
 * - kept text (a body, a line, an event, a polled page) runs through framing, normalization and
 *   the store again; it is stored only if every record now passes, else nothing changes;
 * - a file or notification (route, fetch, dead-letter, unreadable file) is re-enqueued for the
 *   queue consumer, with the object's failed progress cleared so it starts again.
 */
export async function replay(env: Env, q: QuarantineRow): Promise<ReplayOutcome> {
  const landingKey = q.rawRef?.startsWith("landing/") ? q.rawRef.slice("landing/".length) : null;
  const message = q.raw && q.rawEncoding === "utf8" ? parseBucketMessage(safeJson(q.raw)) : null;
  if (landingKey || q.stage === "dead-letter" || (q.stage === "route" && message?.ok)) {
    return requeue(env, landingKey, message?.ok ? message.value : null);
  }
  if (q.rawEncoding !== "utf8") {
    return {
      status: "failed",
      code: "not_replayable",
      message: "the input is not valid text (kept as base64); fix it at the sender",
    };
  }
  const source = q.sourceID ? findSource(env, q.sourceID) : undefined;
  if (!source)
    return {
      status: "failed",
      code: "source_not_found",
      message: `no configured source "${q.sourceID}"`,
    };
  // Inputs over 64 KB were kept in the ARCHIVE bucket rather than inline.
  const archived = q.rawRef?.startsWith("quarantine/") ? await env.ARCHIVE.get(q.rawRef) : null;
  const raw = archived ? await archived.text() : q.raw;
  if (!raw) {
    return {
      status: "failed",
      code: "not_replayable",
      message: "the entry keeps no input to replay",
    };
  }
  const framed = frameJson(raw, normalizerFor(source.type).isEvent);
  if (!framed.ok) return { status: "failed", code: framed.code, message: framed.message };
  const now = Date.now();
  const prepared = await prepareRecords(env, source, framed.records, now);
  const first = prepared.quarantine[0];
  if (first)
    return {
      status: "failed",
      code: first.errorCode,
      message: `${first.location}: ${first.error}`,
    };
  const r = await commit(env, {
    sourceID: source.id,
    sourceType: source.type,
    rows: prepared.rows,
    quarantine: [],
    received: framed.records.length,
    now,
  });
  if (r.quarantined > 0) {
    return {
      status: "failed",
      code: "still_not_storable",
      message: `${r.quarantined} record(s) still cannot be stored (e.g. too large for a row); nothing else changed`,
    };
  }
  return {
    status: "replayed",
    result: { received: r.received, inserted: r.inserted, duplicates: r.duplicates },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

async function requeue(
  env: Env,
  landingKey: string | null,
  message: BucketMessage | null,
): Promise<ReplayOutcome> {
  const key =
    landingKey ?? (message?.kind === "notification" ? message.n.object.key : message?.c.key);
  if (!key) return { status: "failed", code: "not_replayable", message: "no object key to replay" };
  const head = await env.LANDING.head(key);
  if (!head)
    return { status: "failed", code: "object_missing", message: `object ${key} no longer exists` };
  await env.DB.prepare("DELETE FROM objects WHERE key = ?1 AND eTag = ?2 AND status = 'failed'")
    .bind(key, head.etag)
    .run();
  const notification: R2Notification = {
    account: "replay",
    action: "PutObject",
    bucket: message?.kind === "notification" ? message.n.bucket : "auditflare-landing",
    object: { key, size: head.size, eTag: head.etag },
    eventTime: new Date().toISOString(),
  };
  await env.BUCKET_EVENTS.send(notification, { contentType: "json" });
  return { status: "queued", result: { key } };
}
