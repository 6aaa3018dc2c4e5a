import type { IngestSink } from "../ports";
import { ingest, ingestUnframed } from "./ingest";
import { keptRecords } from "./prepare";

/**
 * The ingest sink the entry wiring (src/wiring.ts) hands every transport: the pipeline's one
 * path (prepare → detect → commit) behind the port of src/ports.ts, so no transport imports it.
 * With a request's `ctx`, the alert outbox is queued after the response (`ctx.waitUntil`).
 */
export function pipelineSink(env: Env, ctx?: Pick<ExecutionContext, "waitUntil">): IngestSink {
  return {
    records: (source, records, o = {}) =>
      ingest(env, source, records, {
        now: o.now,
        where: o.where,
        tags: o.tags,
        extra: o.extra && ((prepared) => o.extra?.(keptRecords(prepared)) ?? []),
        defer: ctx && ((work) => ctx.waitUntil(work())),
      }),
    unframed: (source, entry, now) => ingestUnframed(env, source, entry, now),
  };
}
