import { ingest } from "../../ingest";
import { FileFormatError, type Framing, readRecords, type StreamRecord } from "../../parse/stream";
import {
  getProgress,
  type ObjectRef,
  progressStatement,
  startStatement,
} from "../../store/objects";
import { recordsIn } from "../../store/quarantine";
import { normalizerFor } from "../../vendors";
import { type BucketSource, failObject } from "./kept";

/** Records per D1 commit (one atomic batch: rows + progress). */
export const CHUNK_RECORDS = 500;

/** Records left for this invocation, shared by the messages of one batch. */
export interface Budget {
  remaining: number;
}

type Outcome = { outcome: "done" | "continue" | "already-done" | "failed"; eTag: string };
type Opened = { ref: ObjectRef; object: R2ObjectBody; start: number } | Outcome;

/**
 * The object version to read and where to resume: progress is keyed by the version actually
 * read (overwritten since the notification, the newer version's own notification finds it done).
 */
async function openObject(
  env: Env,
  source: BucketSource,
  notified: ObjectRef & { size: number | null },
): Promise<Opened> {
  let ref: ObjectRef = notified;
  let progress = ref.eTag ? await getProgress(env.DB, ref) : null;
  if (progress && progress.status !== "in_progress")
    return { outcome: "already-done", eTag: ref.eTag };
  const object = await env.LANDING.get(ref.key);
  if (!object) {
    // Deleted before we got to it: nothing to read; keep a trace for operators.
    await failObject(
      env,
      source,
      ref,
      "fetch",
      "object_missing",
      `object ${ref.key} no longer exists`,
    );
    return { outcome: "failed", eTag: ref.eTag };
  }
  if (object.etag !== ref.eTag) {
    ref = { ...ref, eTag: object.etag };
    progress = await getProgress(env.DB, ref);
    if (progress && progress.status !== "in_progress") {
      await object.body.cancel();
      return { outcome: "already-done", eTag: ref.eTag };
    }
  }
  const size = notified.size ?? object.size;
  await startStatement(env.DB, { ...ref, sourceID: source.id, size }, Date.now()).run();
  return { ref, object, start: progress?.recordsCommitted ?? 0 };
}

/** Commits records in chunks, each with the object's progress, in one batch. */
function chunkWriter(
  env: Env,
  source: BucketSource,
  ref: ObjectRef,
  object: R2ObjectBody,
  start: number,
) {
  // Files uploaded through the API say so on every row (a vendor delivery carries no mark).
  const origin =
    object.customMetadata?.auditflareOrigin === "upload"
      ? { auditflareOrigin: "upload" }
      : undefined;
  const w = { committed: start, framing: null as Framing | null, chunk: [] as StreamRecord[] };
  const flush = async (done: boolean) => {
    const { chunk } = w;
    const now = Date.now();
    const next = w.committed + chunk.length;
    await ingest(env, source, chunk, {
      now,
      where: `${ref.key} `,
      tags: origin,
      extra: (prepared) => [
        progressStatement(env.DB, ref, {
          recordsCommitted: next,
          received: chunk.length,
          quarantined: prepared.quarantine.reduce((n, q) => n + recordsIn(q), 0),
          framing: w.framing,
          done,
          now,
        }),
      ],
    });
    w.committed = next;
    w.chunk = [];
  };
  return { w, flush };
}

/**
 * Streams one object into D1 from its last committed record. Each chunk's rows and the object's
 * progress commit in one batch, so a crash or redelivery resumes exactly after the last commit.
 * Returns "continue" when the invocation's budget ran out before the end of the file.
 */
export async function ingestObject(
  env: Env,
  source: BucketSource,
  notified: ObjectRef & { size: number | null },
  budget: Budget,
): Promise<Outcome> {
  const opened = await openObject(env, source, notified);
  if ("outcome" in opened) return opened;
  const { ref, object, start } = opened;
  const { w, flush } = chunkWriter(env, source, ref, object, start);

  // Every message gets at least one chunk, so a batch of big files still moves each forward.
  const limit = Math.max(CHUNK_RECORDS, budget.remaining);
  let handled = 0;
  const body = object.body;
  try {
    try {
      const isEvent = normalizerFor(source.type).isEvent;
      const onFraming = (f: Framing) => {
        w.framing = f;
      };
      // Damaged gzip is read again exactly, from where the fast pass stopped (same version only).
      const reopen = async () => {
        const o = await env.LANDING.get(ref.key, { onlyIf: { etagMatches: ref.eTag } });
        return o && "body" in o ? o.body : null;
      };
      for await (const record of readRecords(body, isEvent, onFraming, start, reopen)) {
        if (handled >= limit) {
          if (w.chunk.length > 0) await flush(false);
          return { outcome: "continue", eTag: ref.eTag };
        }
        w.chunk.push(record);
        handled++;
        if (w.chunk.length >= CHUNK_RECORDS) await flush(false);
      }
    } catch (err) {
      if (!(err instanceof FileFormatError)) throw err;
      // The file itself cannot be read further: what was committed stays; the rest is kept aside.
      if (w.chunk.length > 0) await flush(false);
      await failObject(
        env,
        source,
        ref,
        "parse",
        err.code,
        `${err.message} (after ${w.committed} records)`,
      );
      return { outcome: "failed", eTag: ref.eTag };
    }
    await flush(true);
    return { outcome: "done", eTag: ref.eTag };
  } finally {
    budget.remaining -= handled;
  }
}
