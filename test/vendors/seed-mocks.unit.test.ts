import { describe, expect, it } from "vitest";
import devVars from "../../.dev.vars.example?raw";
import { manifestMocks } from "./manifest-fixtures";

/**
 * npm start's PlanetScale and Turso mocks, made from their manifests: where .dev.vars.example's
 * sources poll them, with its tokens, and with each vendor's paging quirks.
 */

const sources = JSON.parse(
  String(devVars.split("\n").find((l) => l.startsWith("SOURCES="))).replace(/^SOURCES='|'$/g, ""),
) as Array<{ type: string; baseUrl?: string; tokenEnv?: string }>;
const secret = (name: string) =>
  devVars
    .split("\n")
    .find((l) => l.startsWith(`${name}=`))
    ?.slice(name.length + 1);

describe("the seed vendors' mocks", () => {
  const mocks = manifestMocks();

  it("answer where .dev.vars.example's sources poll, with its tokens", () => {
    for (const type of ["planetscale", "turso"]) {
      const source = sources.find((s) => s.type === type);
      const mock = mocks[type];
      expect(`http://127.0.0.1:8788${mock?.prefix}`).toBe(source?.baseUrl);
      expect(mock?.token).toBe(secret(source?.tokenEnv ?? ""));
    }
    expect(mocks.planetscale?.token).toBe("dev-ps-id:dev-ps-secret");
  });

  it("PlanetScale: the cursor is the last event's id, named on the last page too; has_next beside it", () => {
    const ps = mocks.planetscale;
    if (!ps) throw new Error("no mock");
    for (let i = 60; i > 0; i--) ps.add(Date.UTC(2026, 9, 1) - i * 60_000);
    const get = (after?: string) =>
      ps.handle(
        "/organizations/acme/audit-log",
        new URLSearchParams({ limit: "100", ...(after && { starting_after: after }) }),
        "dev-ps-id:dev-ps-secret",
      )?.body as {
        type: string;
        has_next: boolean;
        cursor_end: string | null;
        data: Array<{ id: string }>;
      };
    const first = get();
    expect(first).toMatchObject({ type: "list", has_next: true });
    expect(first.cursor_end).toBe(first.data.at(-1)?.id);
    const last = get(first.cursor_end ?? "");
    expect(last).toMatchObject({ has_next: false, cursor_end: last.data.at(-1)?.id });
    expect(get(last.cursor_end ?? "")).toMatchObject({ data: [], cursor_end: null });
    expect(
      ps.handle("/organizations/acme/audit-log", new URLSearchParams(), "Bearer x")?.status,
    ).toBe(401);
  });

  it("Turso: page numbers with total_pages, an empty page past the end, whole-second times", () => {
    const turso = mocks.turso;
    if (!turso) throw new Error("no mock");
    for (let i = 120; i > 0; i--) turso.add(Date.UTC(2026, 9, 1) - i * 1_500);
    const get = (page: number) =>
      turso.handle(
        "/organizations/acme/audit-logs",
        new URLSearchParams({ page: String(page), page_size: "100" }),
        "Bearer dev-turso-token",
      )?.body as { audit_logs: Array<{ created_at: string }>; pagination: { total_pages: number } };
    expect(get(1).pagination.total_pages).toBe(3);
    expect(get(3).audit_logs).toHaveLength(20);
    expect(get(4).audit_logs).toEqual([]);
    expect(get(1).audit_logs[0]?.created_at).toMatch(/:\d\dZ$/);
  });
});
