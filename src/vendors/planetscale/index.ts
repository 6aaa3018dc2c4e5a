import { z } from "zod";
import { commonFields, pollFields } from "../fields";
import type { Vendor } from "../types";
import { planetscale as normalizer } from "./normalize";
import { pollPlanetScale } from "./poll";

/** PlanetScale: we poll the organization's audit log with a service token (VENDORS.md §1). */
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
    columns: [
      "psId",
      "psAuditAction",
      "psAction",
      "psActorId",
      "psActorType",
      "psActorDisplayName",
      "psAuditableId",
      "psAuditableType",
      "psAuditableDisplayName",
      "psTargetId",
      "psTargetType",
      "psTargetDisplayName",
      "psRemoteIp",
      "psCreatedAt",
      "psUpdatedAt",
      "psMetadata",
    ],
    rawPaths: {
      psId: "id",
      psAuditAction: "audit_action",
      psAction: "action",
      psActorId: "actor_id",
      psActorType: "actor_type",
      psActorDisplayName: "actor_display_name",
      psAuditableId: "auditable_id",
      psAuditableType: "auditable_type",
      psAuditableDisplayName: "auditable_display_name",
      psTargetId: "target_id",
      psTargetType: "target_type",
      psTargetDisplayName: "target_display_name",
      psRemoteIp: "remote_ip",
      psCreatedAt: "created_at",
      psUpdatedAt: "updated_at",
      psMetadata: "metadata",
    },
  },
  poll: { defaultBaseUrl: "https://api.planetscale.com/v1", run: pollPlanetScale },
} as const satisfies Vendor<"planetscale">;
