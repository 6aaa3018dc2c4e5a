import { z } from "zod";
import { parseTimestamp } from "../../../src/lib/time";
import { zodMessage } from "../../../src/vendors/event";
import type { PageTarget, PollClient } from "../../../src/vendors/types";
import { fieldOf, orgUrl } from "./poll-client";

/** Items per request: the API's maximum (docs/sources/planetscale.md). */
export const PAGE_SIZE = 100;

// Items are checked one by one by the normalizer (a bad one is quarantined alone); the page only
// needs to be a list, or one odd event would stop the walk for good.
const listEnvelope = z.looseObject({
  data: z.array(z.unknown()),
  has_next: z.boolean().optional(),
  cursor_end: z.string().nullish(),
});

function explainAuth(at: PageTarget) {
  const env = at.source.tokenEnv;
  const org = at.source.organization;
  return (status: number) =>
    status === 401
      ? `PlanetScale rejected the service token (401): set ${env} to "<SERVICE_TOKEN_ID>:<SERVICE_TOKEN>" of a valid service token`
      : status === 403
        ? `PlanetScale refused access (403): give the service token in ${env} the read_audit_logs permission on organization "${org}"`
        : `PlanetScale answered ${status} for organization "${org}": check the organization name, and that the service token in ${env} has read_audit_logs (a missing permission also shows as 404)`;
}

/**
 * PlanetScale's audit log: newest first, `limit` up to 100, older pages by
 * `starting_after=<cursor_end>`. `has_next` is not trusted alone: the walk ends at an empty page
 * (or a page without `cursor_end`), which costs one request at the end of a backfill.
 */
export const planetscalePages: PollClient = {
  name: "PlanetScale",
  defaultBaseUrl: "https://api.planetscale.com/v1",
  request: (at, next) => ({
    url: `${orgUrl(at, "audit-log")}?limit=${PAGE_SIZE}${next ? `&starting_after=${encodeURIComponent(next)}` : ""}`,
    headers: { authorization: at.token },
    explainAuth: explainAuth(at),
  }),
  parse(body) {
    const parsed = listEnvelope.safeParse(body);
    if (!parsed.success)
      return { ok: false, error: `not an audit-log page: ${zodMessage(parsed.error.issues)}` };
    const items = parsed.data.data;
    return { ok: true, items, next: items.length > 0 ? (parsed.data.cursor_end ?? null) : null };
  },
  pageLabel: (next) => (next ? `starting_after=${next}` : "head"),
  tokenLabel: (next) => `the cursor ${JSON.stringify(next)}`,
  idOf(item) {
    const v = fieldOf(item, "id");
    return typeof v === "string" && v.length > 0 ? v : null;
  },
  timeOf(item) {
    const v = fieldOf(item, "created_at");
    return typeof v === "string" ? parseTimestamp(v) : null;
  },
};
