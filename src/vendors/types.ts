import type { z } from "zod";
import type { HmacScheme } from "../lib/signature";
import type { SourceRef, ViewDefinition } from "../model/view";
import type { Normalizer } from "./event";

export type { SourceRef, ViewDefinition };

/** What a poller needs of its source. */
export interface PollerSource extends SourceRef {
  /** The organization field some manifests name (PlanetScale, Turso, GitHub); read by name. */
  organization?: string;
  tokenEnv: string;
  baseUrl?: string;
  intervalSeconds: number;
  /** Seconds behind the high-water mark every walk reads again (late and backdated events). */
  overlapSeconds: number;
}

/*
 * What a polled vendor tells the one poll walker (src/transports/poll/walk.ts): how to ask for a
 * page and how to read one. Page clients are pure: no fetch, no store, no transport. The walker
 * owns everything else (lease, overlap window, cut, cursor loops, timeouts, commits, health).
 */

/** A request for one page, as the walker sends it (a GET, unless it says POST with a body). */
export interface PageRequest {
  url: string;
  method?: "GET" | "POST";
  /** The POST body (JSON text). */
  body?: string;
  headers: Record<string, string>;
  /** Explains an auth/permission status (401, 402, 403, 404) in words a user can act on. */
  explainAuth: (status: number) => string;
}

/** A page read: its items newest first, and the token of the next (older) page, null at the end. */
export type ParsedPage =
  | { ok: true; items: unknown[]; next: string | null }
  | { ok: false; error: string };

/** Where the walker is: the source, its secret, its API base, how far back the walk reads. */
export interface PageTarget {
  source: PollerSource;
  token: string;
  baseUrl: string;
  /**
   * The oldest time (epoch ms) this walk needs: the high-water mark minus the overlap window;
   * null before the first complete walk. An API with a `since` parameter can start there.
   */
  floor: number | null;
}

/** What the walker saw of a page besides its body: its URL and response headers (Link). */
export interface PageMeta {
  url: string;
  headers: Headers;
}

export interface PollClient {
  /** The vendor's name in messages ("PlanetScale"). */
  name: string;
  defaultBaseUrl: string;
  /**
   * newest_first (the default): the walk reads back from the head to the overlap window.
   * oldest_first: the head is the oldest event since `floor`, and the walk reads to the end.
   */
  order?: "newest_first" | "oldest_first";
  /**
   * The vendor's documented rate limit: the walker spaces a run's requests evenly, one every
   * perSeconds / requests seconds (a 429 with Retry-After is honoured besides).
   */
  rateLimit?: { requests: number; perSeconds: number };
  /**
   * The source's secret is a Google service-account key (JSON): the walker exchanges it for an
   * access token of `scope` (src/lib/google-token.ts, cached until it expires), and `request`
   * is handed that token.
   */
  tokenGrant?: { kind: "google_service_account"; scope: string };
  /** The page after `next` (null: the head, the newest events). */
  request(at: PageTarget, next: string | null): PageRequest;
  /** The JSON body of the page requested with `next` (and the response's URL and headers). */
  parse(body: unknown, next: string | null, page?: PageMeta): ParsedPage;
  /** Where a page is, for record locations ("head", "page 3"). */
  pageLabel(next: string | null): string;
  /** How the vendor named a page in its answer, for messages ('the cursor "x"', "page 3"). */
  tokenLabel(next: string): string;
  /** An item's own id, if the vendor gives one. */
  idOf(item: unknown): string | null;
  /** An item's time (epoch ms), if it has one. */
  timeOf(item: unknown): number | null;
}

/**
 * How a pushed vendor proves a delivery is its own, checked with the secret the source names in
 * `ingestTokenEnv`: `Authorization: Bearer <secret>` (checked before the body is read), or an
 * HMAC signature over the body (src/lib/signature.ts: header, algorithm, prefix, timestamp).
 */
export type PushAuth = { kind: "bearer" } | HmacScheme;

/** How a source's events arrive. */
type Transport = "push" | "bucket" | "poll" | "builtin";

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
  /** Pushed vendors: how deliveries are verified (default: a bearer token). */
  push?: { auth: PushAuth };
  /** Polled vendors: the page client the poll walker drives (above). */
  poll?: PollClient;
  /** Bucket vendors: name prefixes of the objects they write to test access (skipped). */
  testObjectPrefixes?: readonly string[];
  /** Bucket vendors: whole object keys to leave alone (skipped and counted, never read). */
  skipKeys?: readonly RegExp[];
}
