import { z } from "zod";
import { bucketFields, commonFields } from "../fields";
import type { Vendor } from "../types";
import { circleci as normalizer } from "./normalize";

/** CircleCI: writes audit files to the customer's bucket (VENDORS.md §3). */
export const circleci = {
  type: "circleci",
  transports: ["bucket"],
  config: z.object({ ...commonFields, type: z.literal("circleci"), ...bucketFields }).strict(),
  normalizer,
  view: {
    name: "circleci_audit_logs",
    description: "the 53 seed columns (36 common + 17 vendor).",
    common: "all",
    columns: [
      "auditLogId",
      "version",
      "occurredAt",
      "action",
      "actorId",
      "actorType",
      "actorName",
      "targetId",
      "targetType",
      "targetName",
      "scopeId",
      "scopeType",
      "scopeName",
      "success",
      "requestId",
      "payload",
      "metadata",
    ],
  },
  testObjectPrefixes: ["circleci_connectivity_test_"],
} as const satisfies Vendor<"circleci">;
