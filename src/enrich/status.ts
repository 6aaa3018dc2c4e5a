import { z } from "@hono/zod-openapi";
import { toIso } from "../lib/time";
import { getIpdb } from "./load";

/** The enrichment part of source health (GET /v1/sources): is the IP database loaded? */

const ATTRIBUTION = [
  "IP to ASN data: RouteViews (https://www.routeviews.org), DB-IP (IP Geolocation by DB-IP, https://db-ip.com) and NRO (https://www.nro.net), CC BY 4.0, via sapics/ip-location-db",
  "IP to country data: NRO / the five RIRs (https://www.nro.net), CC BY 4.0, via sapics/ip-location-db",
];

export const EnrichmentSchema = z
  .object({
    ipdb: z.object({
      status: z.enum(["ok", "missing", "error"]).openapi({
        description:
          "ok: srcIP lookups fill AS number, organization, ISP and country; missing/error: those columns stay null (ingestion is unaffected)",
      }),
      message: z.string().nullable(),
      version: z
        .string()
        .nullable()
        .openapi({ example: "asn@2.3.2026061719+country@2.3.2026061719" }),
      key: z.string().nullable(),
      builtAt: z.string().nullable(),
      loadedAt: z.string().nullable(),
      loadMs: z.number().nullable(),
      compressedBytes: z.number().nullable(),
      memoryBytes: z.number().nullable(),
      segments: z.object({ ipv4: z.number(), ipv6: z.number() }).nullable(),
      attribution: z.array(z.string()),
    }),
  })
  .openapi("Enrichment");

type EnrichmentStatus = z.infer<typeof EnrichmentSchema>;

export async function enrichmentStatus(env: { IPDB?: R2Bucket }): Promise<EnrichmentStatus> {
  const s = await getIpdb(env.IPDB);
  if (s.status !== "ok")
    return {
      ipdb: {
        status: s.status,
        message: s.message,
        version: null,
        key: s.key,
        builtAt: null,
        loadedAt: null,
        loadMs: null,
        compressedBytes: null,
        memoryBytes: null,
        segments: null,
        attribution: ATTRIBUTION,
      },
    };
  const h = s.db.header;
  return {
    ipdb: {
      status: "ok",
      message: s.warning ?? null,
      version: h.version,
      key: s.key,
      builtAt: h.builtAt,
      loadedAt: toIso(s.loadedAt),
      loadMs: s.loadMs,
      compressedBytes: s.compressedBytes,
      memoryBytes: s.db.byteLength,
      segments: { ipv4: s.db.v4Asn.length, ipv6: s.db.v6Asn.length },
      attribution: h.sources.length
        ? h.sources.map((x) => `${x.name}@${x.version} (${x.license}): ${x.attribution}`)
        : ATTRIBUTION,
    },
  };
}
