import { env } from "cloudflare:workers";
import { d1Correlations } from "../../src/store/correlations";
import { describeCorrelationStoreConformance } from "./correlation-store-conformance";

describeCorrelationStoreConformance("D1", () => ({
  store: d1Correlations(env.DB),
  async addHit(ruleId, group, hit) {
    await env.DB.prepare(
      "INSERT INTO detections (ruleId, eventId, dedupKey, value, eventTime, commitId) VALUES (?1, ?2, ?3, ?4, ?5, 'test')",
    )
      .bind(ruleId, hit.id, group, hit.value, hit.time)
      .run();
  },
  async alertsRaised(ruleId) {
    const row = await env.DB.prepare("SELECT count(*) AS n FROM alerts WHERE ruleId = ?1")
      .bind(ruleId)
      .first<{ n: number }>();
    return row?.n ?? 0;
  },
}));
