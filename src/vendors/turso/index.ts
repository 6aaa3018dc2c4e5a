import { z } from "zod";
import { commonFields, pollFields } from "../fields";
import type { Vendor } from "../types";
import { prefixedColumns } from "../view-columns";
import { turso as normalizer } from "./normalize";
import { tursoPages } from "./poll";

/** Turso: we poll the Platform API's organization audit logs (docs/sources/turso.md). */
export const turso = {
  type: "turso",
  transports: ["poll"],
  config: z.object({ ...commonFields, type: z.literal("turso"), ...pollFields }).strict(),
  normalizer,
  view: {
    name: "turso_audit_logs",
    description:
      'the 36 common columns + the 11 fields of a Turso audit-log entry, prefix "turso".',
    common: "all",
    ...prefixedColumns("turso", [
      "code",
      "message",
      "origin",
      "author",
      "created_at",
      "data",
      "ip",
      "city",
      "country_code",
      "latitude",
      "longitude",
    ]),
  },
  poll: tursoPages,
} as const satisfies Vendor<"turso">;
