import { z } from "zod";
import { parseTimestamp } from "../../../src/lib/time";
import {
  accepted,
  emptyEndpoint,
  isoTime,
  type Normalizer,
  zodFailure,
} from "../../../src/vendors/event";
import { prefixedColumn } from "../../../src/vendors/view-columns";

/**
 * Airkit audit events (docs/sources/airkit.md): upper-case Snowflake columns (ORGANIZATION_ID, EVENT_ID,
 * EVENT_TIME …) in CSV or JSON. Keys are matched case-insensitively (EVENT_TIME = eventTime =
 * event_time); EVENT_TIME is a TIMESTAMPNTZ, read as UTC when it has no zone.
 */
const AIRKIT_COLUMNS = [
  "ORGANIZATION_ID",
  "EVENT_ID",
  "EVENT_YEAR",
  "EVENT_MONTH",
  "EVENT_DATE",
  "EVENT_TIME",
  "ROOT_SCOPE_USER_ID",
  "USER_ID",
  "EMAIL",
  "APP_ID",
  "BRANCH_ID",
  "DEPLOY_ID",
  "SAVEPOINT_ID",
  "SAVEPOINT_REVISION",
  "RESOURCE_TYPE",
  "RESOURCE_ID",
  "DOMAIN",
  "DATASTORE_ID",
  "API_KEY_ID",
  "NOTIFIER_ID",
  "SAML_ID",
  "WEBHOOK_ID",
  "ADAPTER_ID",
  "EMBED_ID",
  "ROLE_ID",
  "SERVICE",
  "SERVICE_REVISION",
  "LOGIN_TYPE",
  "EVENT_TYPE",
] as const;

const NUMERIC = new Set(["EVENT_YEAR", "SAVEPOINT_REVISION"]);
/** Columns naming an object the event is about; they become `resources` entries. */
const RESOURCE_IDS: Array<[string, string]> = [
  ["APP_ID", "app"],
  ["BRANCH_ID", "branch"],
  ["DEPLOY_ID", "deploy"],
  ["SAVEPOINT_ID", "savepoint"],
  ["DATASTORE_ID", "datastore"],
  ["API_KEY_ID", "api_key"],
  ["NOTIFIER_ID", "notifier"],
  ["SAML_ID", "saml"],
  ["WEBHOOK_ID", "webhook"],
  ["ADAPTER_ID", "adapter"],
  ["EMBED_ID", "embed"],
  ["ROLE_ID", "role"],
  ["DOMAIN", "domain"],
];

/** eventTime, event_time, EVENT_TIME, Event-Time → EVENT_TIME. */
const rewriteKey = (k: string) =>
  k
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[\s-]+/g, "_")
    .toUpperCase();

// Every event of an export repeats the same ~30 keys: rewrite each once (bounded, so a file of
// ever-new keys cannot grow it without end).
const KEY_CACHE_SIZE = 4096;
const keyCache = new Map<string, string>();
function canonicalKey(k: string): string {
  let c = keyCache.get(k);
  if (c === undefined) {
    c = rewriteKey(k);
    if (keyCache.size < KEY_CACHE_SIZE) keyCache.set(k, c);
  }
  return c;
}

/** The view's column of each export column, in AIRKIT_COLUMNS order. */
/** SAVEPOINT_REVISION → airkitSavepointRevision (the view's column names). */
export const AIRKIT_VIEW_COLUMNS = AIRKIT_COLUMNS.map((c) => prefixedColumn("airkit", c));

const text = z.string().min(1);
const record = z.looseObject({
  EVENT_ID: text,
  EVENT_TYPE: text,
  EVENT_TIME: isoTime,
});

function canonicalize(value: unknown): Record<string, unknown> | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const cleaned = typeof v === "string" && v.trim() === "" ? null : v;
    const key = canonicalKey(k);
    out[key] =
      NUMERIC.has(key) && typeof cleaned === "string" && /^-?\d+$/.test(cleaned)
        ? Number(cleaned)
        : cleaned;
  }
  return out;
}

const str = (v: unknown): string | null =>
  v === null || v === undefined ? null : typeof v === "string" ? v : String(v);

export const airkit: Normalizer = {
  isEvent: (v) => Object.keys(v).some((k) => canonicalKey(k) === "EVENT_ID"),

  normalize({ value, raw }) {
    const e = canonicalize(value);
    const parsed = record.safeParse(e ?? value);
    if (!parsed.success) return zodFailure(parsed.error.issues);
    if (!e) return { ok: false, code: "invalid_event", message: "event is not an object" };
    const actor: Record<string, string> = {};
    if (str(e.USER_ID)) actor.id = str(e.USER_ID) as string;
    if (str(e.EMAIL)) actor.email = str(e.EMAIL) as string;
    if (str(e.ROOT_SCOPE_USER_ID)) actor.rootScopeUserId = str(e.ROOT_SCOPE_USER_ID) as string;
    const tags: Record<string, string> = {};
    for (const [col, tag] of [
      ["ORGANIZATION_ID", "organizationId"],
      ["SERVICE", "service"],
      ["LOGIN_TYPE", "loginType"],
    ] as const) {
      const v = str(e[col]);
      if (v) tags[tag] = v;
    }
    const resources = RESOURCE_IDS.flatMap(([col, type]) =>
      str(e[col]) ? [`${type}:${str(e[col])}`] : [],
    );
    if (str(e.RESOURCE_ID))
      resources.unshift(`${str(e.RESOURCE_TYPE) ?? "resource"}:${str(e.RESOURCE_ID)}`);
    const sourceFields: Record<string, unknown> = {};
    for (let i = 0; i < AIRKIT_COLUMNS.length; i++)
      sourceFields[AIRKIT_VIEW_COLUMNS[i] as string] = e[AIRKIT_COLUMNS[i] as string] ?? null;
    return accepted({
      eventID: parsed.data.EVENT_ID,
      eventName: parsed.data.EVENT_TYPE,
      eventTime: parseTimestamp(parsed.data.EVENT_TIME) as number,
      readOnly: parsed.data.EVENT_TYPE === "portal_page_view" ? true : null,
      serviceName: "airkit",
      src: emptyEndpoint(),
      actor,
      tags,
      resources,
      rawLog: raw,
      sourceFields,
    });
  },
};
