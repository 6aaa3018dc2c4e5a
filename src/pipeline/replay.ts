import { findSource } from "../config";
import type { ErrorCode } from "../lib/errors";
import { type Framed, framedText, frameJson } from "../parse/json";
import { d1Ports } from "../store/ports";
import { groupRecords, type QuarantinedRecord } from "../store/quarantine";
import { releaseStatements } from "../store/quarantine-list";
import type { QuarantineRow } from "../store/schema";
import { parseBucketMessage } from "../transports/bucket/messages";
import { objectOf, requeue } from "../transports/bucket/requeue";
import { normalizerFor } from "../vendors";
import type { SourceRef } from "../vendors/types";
import { ingestAll } from "./ingest";

type ReplayOutcome =
  | { status: "replayed"; result: { received: number; inserted: number; duplicates: number } }
  | { status: "queued"; result: { key: string } }
  | { status: "failed"; code: ErrorCode; message: string };

/**
 * Replays one quarantine entry after a fix (config, code, or the input itself), running the
 * exact stage that failed, with today's code, on the same input:
 * - a group of bad records: each record alone (parsed if parsing failed, then normalized),
 *   never framed again, so an NDJSON line `[a, b]` stays one record;
 * - a whole body that could not be framed: framed again, as the push route does;
 * - a file or notification (route, fetch, dead-letter, unreadable file) is re-enqueued for the
 *   queue consumer, with the object's failed progress cleared so it starts again.
 * Records are stored only if every one of them now passes; else nothing changes.
 */
export async function replay(env: Env, q: QuarantineRow): Promise<ReplayOutcome> {
  const message = q.raw && q.rawEncoding === "utf8" ? parseBucketMessage(safeJson(q.raw)) : null;
  const object = objectOf(env, q, message?.ok ? message.value : null);
  if (object || q.stage === "dead-letter" || (q.stage === "route" && message?.ok)) {
    if (!object)
      return { status: "failed", code: "not_replayable", message: "no object key to replay" };
    return requeue(
      env,
      d1Ports(env),
      object,
      message?.ok && message.value.kind === "notification" ? message.value.n.bucket : undefined,
    );
  }
  const source = q.sourceID ? findSource(env, q.sourceID) : undefined;
  if (!source)
    return {
      status: "failed",
      code: "source_not_found",
      message: `no configured source "${q.sourceID}"`,
    };
  const group = await groupRecords(env, q);
  if (group) return replayRecords(env, source, group, q.id);
  if (q.rawEncoding.startsWith("records"))
    return {
      status: "failed",
      code: "not_replayable",
      message: `the kept records are missing from the ARCHIVE bucket (${q.rawRef})`,
    };
  if (q.rawEncoding !== "utf8") {
    return {
      status: "failed",
      code: "not_replayable",
      message: "the input is not valid text (kept as base64); fix it at the sender",
    };
  }
  if (q.stage === "fetch") {
    return {
      status: "failed",
      code: "not_replayable",
      message: "a polled page that was not in the documented shape is read again by the next poll",
    };
  }
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
  return storeAll(env, source, framed.records, q.id);
}

/** Each kept record through the stage that failed it, and the ones after. */
async function replayRecords(
  env: Env,
  source: SourceRef,
  records: QuarantinedRecord[],
  entryID: string,
): Promise<ReplayOutcome> {
  const framed: Framed[] = [];
  for (const r of records) {
    if (!r.json) {
      return {
        status: "failed",
        code: "not_replayable",
        message: `${r.location} is not a record on its own (${r.errorCode}: ${r.error}); fix the file and upload it again`,
      };
    }
    framed.push(
      r.stage === "parse"
        ? framedText(r.location, r.raw)
        : { location: r.location, raw: r.raw, ok: true, value: JSON.parse(r.raw) },
    );
  }
  return storeAll(env, source, framed, entryID);
}

/**
 * Stores the records only if every one passes (ingestAll), as a replay outcome. The commit
 * first takes the entry's records out of the counters (releaseStatements), in its transaction.
 */
async function storeAll(
  env: Env,
  source: SourceRef,
  records: Iterable<Framed>,
  entryID: string,
): Promise<ReplayOutcome> {
  const outcome = await ingestAll(env, source, records, releaseStatements(env.DB, entryID));
  if (!outcome.ok) {
    const f = outcome.failure;
    return f
      ? { status: "failed", code: f.errorCode, message: `${f.location}: ${f.error}` }
      : { status: "failed", code: "no_records", message: "the input holds no record to store" };
  }
  const r = outcome.result;
  if (r.keptAside > 0) {
    return {
      status: "failed",
      code: "still_not_storable",
      message: `${r.keptAside} record(s) still cannot be stored (e.g. too large for a row even with rawLog in R2), kept aside again as an entry of their own; the other ${r.inserted + r.duplicates} were stored (${r.inserted} new, ${r.duplicates} already there)`,
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
