import { z } from "zod";
import { bucketFields, commonFields, oneBucket } from "../../../src/vendors/fields";
import type { Vendor } from "../../../src/vendors/types";
import { AIRKIT_VIEW_COLUMNS, airkit as normalizer } from "./airkit-normalize";

/** Airkit: writes a file every 5 minutes to the customer's bucket (docs/sources/airkit.md). */
export const airkit = {
  type: "airkit",
  transports: ["bucket"],
  config: z
    .object({ ...commonFields, type: z.literal("airkit"), ...bucketFields })
    .strict()
    .refine(...oneBucket(false)),
  normalizer,
  view: {
    name: "airkit_audit_logs",
    description:
      'the 36 common columns + the 29 Airkit export columns, camelCase with the prefix "airkit" (ORGANIZATION_ID -> airkitOrganizationId).',
    common: "all",
    columns: AIRKIT_VIEW_COLUMNS,
  },
  testObjectPrefixes: ["airkit-verify-test-"],
} as const satisfies Vendor<"airkit">;
