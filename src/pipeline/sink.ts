import type { IngestSink } from "../ports";
import { ingest, ingestUnframed } from "./ingest";
import { keptRecords } from "./prepare";

/**
 * The ingest sink the entry wiring (src/wiring.ts) hands every transport: the pipeline's one
 * path (prepare → detect → commit) behind the port of src/ports.ts, so no transport imports it.
 */
export function pipelineSink(env: Env): IngestSink {
  return {
    records: (source, records, o = {}) =>
      ingest(env, source, records, {
        now: o.now,
        where: o.where,
        tags: o.tags,
        extra: o.extra && ((prepared) => o.extra?.(keptRecords(prepared)) ?? []),
      }),
    unframed: (source, entry, now) => ingestUnframed(env, source, entry, now),
  };
}
