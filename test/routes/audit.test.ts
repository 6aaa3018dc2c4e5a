import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, type Json, QUERY_TOKEN, query } from "../helpers";

/** The collector's own audit trail: the built-in source `auditflare`. */
describe("self-audit", () => {
  it("a query is stored as an auditflare event: action, token name, client IP, parameters, status", async () => {
    const res = await query(
      "/v1/logs?sourceID=circleci&eventName=context.secrets.accessed&limit=5",
      {
        "cf-connecting-ip": "198.51.100.23",
      },
    );
    expect(res.status).toBe(200);
    const row = await env.DB.prepare(
      "SELECT eventName, actor, srcIP, readOnly, sourceType, rawLog FROM logs WHERE sourceID = 'auditflare' AND srcIP = '198.51.100.23'",
    ).first<Json>();
    expect(row).toMatchObject({
      eventName: "listLogs",
      srcIP: "198.51.100.23",
      readOnly: 1,
      sourceType: "auditflare",
    });
    expect(JSON.parse(String(row?.actor))).toEqual({ name: "query token", type: "token" });
    expect(JSON.parse(String(row?.rawLog))).toMatchObject({
      path: "/v1/logs",
      params: { sourceID: "circleci", eventName: "context.secrets.accessed", limit: "5" },
      status: 200,
    });
  });

  it("a write refused to the query token is audited too (status 403), and the trail is queryable like any source", async () => {
    const denied = await call("/v1/quarantine/some-id/replay", {
      method: "POST",
      headers: { authorization: `Bearer ${QUERY_TOKEN}`, "cf-connecting-ip": "198.51.100.24" },
    });
    expect(denied.status).toBe(403);
    const list = (await (
      await query("/v1/logs?sourceID=auditflare&srcIP=198.51.100.24")
    ).json()) as {
      data: Json[];
    };
    expect(list.data).toEqual([
      expect.objectContaining({
        eventName: "replayQuarantineEntry",
        sourceType: "auditflare",
        readOnly: false,
        actor: { name: "query token", type: "token" },
        sourceFields: expect.objectContaining({ auditflareStatus: 403, auditflareMethod: "POST" }),
      }),
    ]);
    const sources = (await (await query("/v1/sources")).json()) as { data: Json[] };
    expect(sources.data.find((s) => s.id === "auditflare")).toMatchObject({
      type: "auditflare",
      transport: "builtin",
    });
  });
});
