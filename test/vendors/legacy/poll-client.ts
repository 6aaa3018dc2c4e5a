import type { PageTarget } from "../../../src/vendors/types";

/** Helpers of the vendors' page clients (PollClient, src/vendors/types.ts). */

/** `{baseUrl}/organizations/{organization}/{path}` of the source. */
export const orgUrl = (at: PageTarget, path: string) =>
  `${at.baseUrl.replace(/\/+$/, "")}/organizations/${encodeURIComponent(at.source.organization ?? "")}/${path}`;

/** Field `k` of an item, if it is an object. */
export const fieldOf = (item: unknown, k: string): unknown =>
  typeof item === "object" && item !== null ? (item as Record<string, unknown>)[k] : undefined;
