/**
 * src/model/: the pure shapes every layer shares (an event, a vendor view, the common columns, a
 * detection match). May import src/lib/ only; vendors, store, detect and pipeline import it.
 */
const ENDPOINT_FIELDS = [
  "IP",
  "ASOrganization",
  "ASNumber",
  "ASCountryCode",
  "City",
  "ConnectionType",
  "ISP",
  "Latitude",
  "Longitude",
  "UserType",
] as const;

/** The 36 common columns of the seed schema, in its order (views and the API show them all). */
export const COMMON_COLUMNS = [
  "id",
  "workspaceID",
  "sourceType",
  "sourceID",
  "sourceTTL",
  "receivedAt",
  "eventTime",
  "eventName",
  "eventID",
  "readOnly",
  ...(["src", "dst"] as const).flatMap((p) => ENDPOINT_FIELDS.map((c) => `${p}${c}`)),
  "actor",
  "tags",
  "resources",
  "serviceName",
  "enrichments",
  "rawLog",
] as const;

/** The common columns that are always null, so not stored (no vendor reports a destination). */
export const UNSTORED_COLUMNS: ReadonlySet<string> = new Set(ENDPOINT_FIELDS.map((c) => `dst${c}`));
