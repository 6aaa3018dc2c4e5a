import { prefixedColumns } from "../../../src/vendors/view-columns";

/** The views of the TypeScript seed vendors' index.ts (main at 8bcd1a7), as they were. */
export const LEGACY_VIEWS = {
  planetscale: {
    name: "planetscale_logs",
    description:
      'the 52 seed columns (36 common + 16 vendor). The vendor\'s `location` ("Chicago, IL") is the common srcCity and stays in rawLog.',
    common: "all",
    ...prefixedColumns("ps", [
      "id",
      "audit_action",
      "action",
      "actor_id",
      "actor_type",
      "actor_display_name",
      "auditable_id",
      "auditable_type",
      "auditable_display_name",
      "target_id",
      "target_type",
      "target_display_name",
      "remote_ip",
      "created_at",
      "updated_at",
      "metadata",
    ]),
  },
  turso: {
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
} as const;
