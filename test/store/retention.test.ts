import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { RETENTION_CRON } from "../../src/retention";
import { count, push, tpEvent } from "../helpers";

const DAY = 86_400_000;

describe("retention (ttlDays)", () => {
  it("deletes a source's rows older than its ttlDays on the hourly cron, and keeps the rest", async () => {
    const now = Date.UTC(2026, 10, 22);
    const old = Array.from({ length: 1200 }, (_, i) => tpEvent(i, now - 60 * DAY + i * 1000));
    const recent = Array.from({ length: 5 }, (_, i) => tpEvent(5000 + i, now - DAY));
    const res = await push("tp-ttl", JSON.stringify([...old, ...recent]), { token: "ttl-token" });
    expect(await res.json()).toMatchObject({ inserted: 1205 });
    expect(
      await count("SELECT count(*) AS n FROM logs WHERE sourceID = 'tp-ttl' AND sourceTTL = 30"),
    ).toBe(1205);
    await push("turbopuffer", JSON.stringify(tpEvent(9, now - 400 * DAY))); // no ttlDays: kept

    const controller = createScheduledController({ scheduledTime: now, cron: RETENTION_CRON });
    await (
      worker as unknown as { scheduled: (c: ScheduledController, e: Env) => Promise<void> }
    ).scheduled(controller, env);
    expect(await count("SELECT count(*) AS n FROM logs WHERE sourceID = 'tp-ttl'")).toBe(5);
    expect(await count("SELECT count(*) AS n FROM logs WHERE sourceID = 'turbopuffer'")).toBe(1);
  });
});
