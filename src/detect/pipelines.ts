import type { StoredPipeline } from "../ports";
import { parsePipeline, processingOf } from "./pipeline";
import type { Pipeline, Processing } from "./pipeline-types";
import { STARTER_PIPELINES } from "./starter-pipelines";

/**
 * The processing pipelines in force: those bundled from rules/pipelines/ and those added at
 * runtime (PUT /v1/pipelines/:id), a runtime pipeline replacing a bundled one of the same id.
 * Every rule, bundled or runtime, is compiled through their items (docs/detections.md).
 */

export interface PipelineFile {
  id: string;
  origin: "bundled" | "runtime";
  yaml: string;
  pipeline: Pipeline;
  updatedAt: number | null;
}

export interface PipelinesInForce {
  /** Changes whenever a runtime pipeline does: rules compiled under another key recompile. */
  key: string;
  files: Map<string, PipelineFile>;
  processing: Processing;
}

let bundled: PipelineFile[] | undefined;

/** The bundled pipelines, parsed once per isolate (a broken one fails the unit tests). */
export function bundledPipelines(): PipelineFile[] {
  bundled ??= STARTER_PIPELINES.map(({ id, yaml }) => ({
    id,
    origin: "bundled" as const,
    yaml,
    pipeline: parsePipeline(id, yaml),
    updatedAt: null,
  }));
  return bundled;
}

/** A set of pipeline files in force, with its processing order and key. */
export function inForce(files: Map<string, PipelineFile>): PipelinesInForce {
  const list = [...files.values()];
  const key = list
    .filter((f) => f.origin === "runtime")
    .map((f) => `${f.id}@${f.updatedAt}`)
    .join(",");
  return { key, files, processing: processingOf(list.map((f) => f.pipeline)) };
}

let cached: PipelinesInForce | undefined;

/** The pipelines in force given the stored ones; parsed again only when one changed. */
export function pipelinesInForce(stored: readonly StoredPipeline[]): PipelinesInForce {
  const files = new Map(bundledPipelines().map((f) => [f.id, f]));
  for (const s of stored) {
    const previous = cached?.files.get(s.id);
    if (previous?.origin === "runtime" && previous.updatedAt === s.updatedAt) {
      files.set(s.id, previous);
      continue;
    }
    try {
      const pipeline = parsePipeline(s.id, s.yaml);
      files.set(s.id, {
        id: s.id,
        origin: "runtime",
        yaml: s.yaml,
        pipeline,
        updatedAt: s.updatedAt,
      });
    } catch (err) {
      // Stored after a check, so only a later change of the engine can break it: kept, not run.
      console.error(`pipeline ${s.id} no longer parses: ${(err as Error).message}`);
    }
  }
  const next = inForce(files);
  if (cached?.key !== next.key) cached = next;
  return cached;
}

/** The bundled pipelines alone (scripts and tests that run no store). */
export const bundledProcessing = (): Processing =>
  inForce(new Map(bundledPipelines().map((f) => [f.id, f]))).processing;
