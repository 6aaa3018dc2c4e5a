import { z } from "zod";
import { bucketFields, commonFields, oneBucket } from "../../../src/vendors/fields";
import type { Vendor } from "../../../src/vendors/types";
import { circleci as normalizer } from "./circleci-normalize";

/** CircleCI: writes audit files to the customer's bucket (docs/sources/circleci.md). */
export const circleci = {
  type: "circleci",
  transports: ["bucket"],
  config: z
    .object({ ...commonFields, type: z.literal("circleci"), ...bucketFields })
    .strict()
    .refine(...oneBucket(false)),
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
    rawPaths: {
      auditLogId: "id",
      version: "version",
      occurredAt: "occurred_at",
      action: "action",
      actorId: "actor.id",
      actorType: "actor.type",
      actorName: "actor.name",
      targetId: "target.id",
      targetType: "target.type",
      targetName: "target.name",
      scopeId: "scope.id",
      scopeType: "scope.type",
      scopeName: "scope.name",
      success: "success",
      requestId: "request.id",
      payload: "payload",
      metadata: "metadata",
    },
  },
  testObjectPrefixes: ["circleci_connectivity_test_"],
} as const satisfies Vendor<"circleci">;
