import { z } from "zod";
import { bucketFields, commonFields, oneBucket, pushFields } from "../../../src/vendors/fields";
import type { Vendor } from "../../../src/vendors/types";
import { turbopuffer as normalizer } from "./turbopuffer-normalize";

/** turbopuffer: pushes to our HTTPS endpoint, or writes files to a bucket (docs/sources/turbopuffer.md). */
export const turbopuffer = {
  type: "turbopuffer",
  transports: ["push", "bucket"],
  config: z
    .object({
      ...commonFields,
      type: z.literal("turbopuffer"),
      ...pushFields,
      ...bucketFields,
    })
    .strict()
    .refine(...oneBucket(true))
    .refine((s) => s.ingestTokenEnv || s.prefix || s.s3 || s.gcs || s.azure, {
      message: "needs ingestTokenEnv (push) or a bucket (prefix, s3, gcs or azure), or both",
      path: ["ingestTokenEnv"],
    }),
  normalizer,
  view: {
    name: "turbopuffer_audit_logs",
    description: "the 22 seed columns (12 common + 10 vendor).",
    common: [
      "id",
      "workspaceID",
      "sourceID",
      "receivedAt",
      "eventTime",
      "eventName",
      "eventID",
      "srcIP",
      "actor",
      "resources",
      "tags",
      "rawLog",
    ],
    columns: [
      "action",
      "occurredAt",
      "actorType",
      "actorId",
      "actorName",
      "targets",
      "contextLocation",
      "sessionId",
      "impersonator",
      "impersonationReason",
    ],
    rawPaths: {
      action: "action",
      occurredAt: "occurred_at",
      actorType: "actor.type",
      actorId: "actor.id",
      actorName: "actor.name",
      targets: "targets",
      contextLocation: "context.location",
      sessionId: "metadata.session_id",
      impersonator: "metadata.impersonator",
      impersonationReason: "metadata.impersonation_reason",
    },
  },
} as const satisfies Vendor<"turbopuffer">;
