import { env } from "cloudflare:workers";
import { readSubscriptions } from "../../src/store/deliveries";
import { d1Ports } from "../../src/store/ports";
import { describePortsConformance, type KeptEntry, type KeptStats } from "./ports-conformance";

/** The D1 ports (src/store/ports.ts) against the conformance suite every backend passes. */
describePortsConformance("D1 (d1Ports)", () => ({
  ports: d1Ports(env),
  commit: async (pending) => {
    await env.DB.batch(pending);
  },
  read: {
    stats: async (sourceID) =>
      (await env.DB.prepare(
        `SELECT received, inserted, duplicates, quarantined, skipped, lastError
         FROM source_stats WHERE sourceID = ?1`,
      )
        .bind(sourceID)
        .first<KeptStats>()) ?? {
        received: 0,
        inserted: 0,
        duplicates: 0,
        quarantined: 0,
        skipped: 0,
        lastError: null,
      },
    quarantine: async (sourceID) =>
      (
        await env.DB.prepare(
          `SELECT stage, errorCode, error, location, status, seen FROM quarantine
           WHERE sourceID = ?1 ORDER BY receivedAt, id`,
        )
          .bind(sourceID)
          .all<KeptEntry>()
      ).results,
    subscriptions: async (sourceID) =>
      (await readSubscriptions(env.DB)).filter((s) => s.sourceID === sourceID),
  },
}));
