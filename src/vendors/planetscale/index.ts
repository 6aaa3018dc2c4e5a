import { z } from "zod";
import { commonFields, pollFields } from "../fields";
import type { Vendor } from "../types";
import { prefixedColumns } from "../view-columns";
import { planetscale as normalizer } from "./normalize";
import { planetscalePages } from "./poll";

/** PlanetScale: we poll the organization's audit log with a service token (docs/sources/planetscale.md). */
export const planetscale = {
  type: "planetscale",
  transports: ["poll"],
  config: z.object({ ...commonFields, type: z.literal("planetscale"), ...pollFields }).strict(),
  normalizer,
  view: {
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
  poll: planetscalePages,
} as const satisfies Vendor<"planetscale">;
