import type { z } from "zod";
import type { PollContext, PollResult } from "../transports/poll/types";
import type { Normalizer } from "./event";

/** What the pipeline needs to know of a source (any vendor's SOURCES entry has it). */
export interface SourceRef {
  id: string;
  type: string;
  ttlDays?: number;
  workspaceID?: string;
}

/** What a poller needs of its source. */
export interface PollerSource extends SourceRef {
  organization: string;
  tokenEnv: string;
  baseUrl?: string;
  intervalSeconds: number;
}

/** How a source's events arrive. */
type Transport = "push" | "bucket" | "poll" | "builtin";

/** A per-vendor view over `logs`, named and shaped as the vendor's seed table. */
export interface ViewDefinition {
  name: string;
  /** What the view is (the comment above it in the migration). */
  description: string;
  /** The common columns it shows, in order: "all" (the 36), or a subset. */
  common: "all" | readonly string[];
  /** The vendor columns, read from `sourceFields` under these names (the normalizer's keys). */
  columns: readonly string[];
  /**
   * Columns the view reads from the raw record instead (dotted key paths of the vendor's JSON):
   * stored in `sourceFields` only when the normalizer's value differs (src/store/source-fields.ts).
   */
  rawPaths?: Readonly<Record<string, string>>;
}

/**
 * Everything the rest of the Worker needs to know about one vendor. A vendor is one folder
 * under src/vendors/ and one line in src/vendors/index.ts; the config union, the source types,
 * the transports shown in /v1/sources, the explorer's options, the pollers the cron runs, the
 * views and the mock APIs of `npm start` are all derived from these definitions.
 */
export interface Vendor<Type extends string = string> {
  type: Type;
  /** The transports this vendor can use (a source uses those its config names). */
  transports: readonly Transport[];
  /** The fields its SOURCES entry takes (a strict zod object with `type: z.literal(type)`). */
  config: z.ZodType;
  normalizer: Normalizer;
  view: ViewDefinition;
  /** Polled vendors: the API's base URL, and the client that walks its pages. */
  poll?: {
    defaultBaseUrl: string;
    run: (ctx: PollContext) => Promise<PollResult>;
  };
  /** Bucket vendors: name prefixes of the objects they write to test access (skipped). */
  testObjectPrefixes?: readonly string[];
}
