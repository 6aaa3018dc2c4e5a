import { z } from "zod";
import { commonFields } from "../fields";
import type { Vendor } from "../types";
import { auditflare as normalizer } from "./normalize";

/**
 * The built-in source `auditflare`: the collector's own audit trail (every admin action and every
 * query). Always present; list it in SOURCES only to set its `ttlDays` or `workspaceID`.
 */
export const auditflare = {
  type: "auditflare",
  transports: ["builtin"],
  config: z.object({ ...commonFields, type: z.literal("auditflare") }).strict(),
  normalizer,
  view: {
    name: "auditflare_audit_logs",
    description:
      "the 36 common columns + what each request asked: action, method, path, params, status, via.",
    common: "all",
    columns: [
      "auditflareAction",
      "auditflareMethod",
      "auditflarePath",
      "auditflareParams",
      "auditflareStatus",
      "auditflareVia",
    ],
    rawPaths: {
      auditflareAction: "action",
      auditflareMethod: "method",
      auditflarePath: "path",
      auditflareParams: "params",
      auditflareStatus: "status",
      auditflareVia: "actor.via",
    },
  },
} as const satisfies Vendor<"auditflare">;
