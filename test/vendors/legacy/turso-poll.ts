import { z } from "zod";
import { parseTimestamp } from "../../../src/lib/time";
import { zodMessage } from "../../../src/vendors/event";
import type { PageTarget, PollClient } from "../../../src/vendors/types";
import { fieldOf, orgUrl } from "./poll-client";

export const PAGE_SIZE = 100;

// The documented envelope. The Elixir SDK's mock shape (page_token, has_more, entries with id /
// timestamp / action) is not the API: without `pagination` a response is malformed, not empty.
const pageEnvelope = z.looseObject({
  // Entries are checked one by one by the normalizer: a bad one is quarantined, not the page.
  audit_logs: z.array(z.unknown()),
  pagination: z.looseObject({
    page: z.number().int().optional(),
    page_size: z.number().int().optional(),
    total_pages: z.number().int().nonnegative(),
    total_rows: z.number().int().nonnegative().optional(),
  }),
});

function explainAuth(at: PageTarget) {
  const env = at.source.tokenEnv;
  const org = at.source.organization;
  return (status: number) =>
    status === 401
      ? `Turso rejected the API token (401): set ${env} to a platform API token, e.g. from \`turso auth api-tokens mint <name> --org ${org}\``
      : status === 402 || status === 403
        ? `Turso refused access (${status}): audit logs need the Scaler plan or above, and the token in ${env} must belong to organization "${org}"`
        : `Turso answered 404 for organization "${org}": check the organization slug (audit logs may not be available on this plan)`;
}

/** The page number a token names (the head is page 1). */
const pageOf = (next: string | null) => (next ? Number(next) : 1);

/**
 * Turso's audit log: newest first by `created_at` (one-second resolution), page numbers from 1
 * and no ids (the eventID is the hash of the entry). New events push entries onto the next page
 * mid-walk: they come back as duplicates, never as gaps. The walk ends at an empty page or the
 * last page (`total_pages`).
 */
export const tursoPages: PollClient = {
  name: "Turso",
  defaultBaseUrl: "https://api.turso.tech/v1",
  request: (at, next) => ({
    url: `${orgUrl(at, "audit-logs")}?page=${pageOf(next)}&page_size=${PAGE_SIZE}`,
    headers: { authorization: `Bearer ${at.token}` },
    explainAuth: explainAuth(at),
  }),
  parse(body, next) {
    const parsed = pageEnvelope.safeParse(body);
    if (!parsed.success)
      return { ok: false, error: `not a Turso audit-log page: ${zodMessage(parsed.error.issues)}` };
    const { audit_logs: items, pagination } = parsed.data;
    const page = pageOf(next);
    const last = items.length === 0 || page >= pagination.total_pages;
    return { ok: true, items, next: last ? null : String(page + 1) };
  },
  pageLabel: (next) => `page ${pageOf(next)}`,
  tokenLabel: (next) => `page ${next}`,
  idOf: () => null,
  timeOf(item) {
    const v = fieldOf(item, "created_at");
    return typeof v === "string" ? parseTimestamp(v) : null;
  },
};
