import { describe, expect, it } from "vitest";
import { MANIFEST_FIXTURES } from "../../../test/vendors/manifest-fixtures";
import { vendorOf } from "../index";
import { MANIFESTS } from "../manifests.gen";
import type { PageTarget, PollClient } from "../types";
import { type Manifest, manifestVendor } from ".";
import { manifestPoll, nextLink } from "./poll";

/** The manifest engine on the four manifests: requests, pages, rows and configs as documented. */

const manifest = (type: string) => {
  const m = MANIFESTS.find((x) => x.type === type);
  if (!m) throw new Error(type);
  return m;
};
const client = (type: string) => vendorOf(type).poll as PollClient;
const target = (type: string, fields: Record<string, unknown> = {}, floor: number | null = null) =>
  ({
    source: {
      id: type,
      type,
      tokenEnv: "TOK",
      intervalSeconds: 60,
      overlapSeconds: 600,
      ...fields,
    },
    token: "s3cret",
    baseUrl: `https://${type}.example/base/`,
    floor,
  }) as PageTarget;
const page = (url: string, link?: string) => ({
  url,
  headers: new Headers(link ? { link } : {}),
});
const row = async (type: string, i: number) => {
  const value = MANIFEST_FIXTURES[type]?.[i];
  const r = vendorOf(type).normalizer.normalize({ value, raw: JSON.stringify(value) });
  if (!r.ok) throw new Error(r.message);
  return r.event;
};

describe("requests", () => {
  it("Okta: SSWS header, since only on the head, the next link followed as given", () => {
    const floor = Date.UTC(2026, 8, 14, 8);
    const head = client("okta").request(target("okta", {}, floor), null);
    expect(head.url).toBe(
      "https://okta.example/base/api/v1/logs?limit=1000&sortOrder=ASCENDING&since=2026-09-14T08%3A00%3A00.000Z",
    );
    expect(head.headers.authorization).toBe("SSWS s3cret");
    const next = "https://okta.example/base/api/v1/logs?after=abc&limit=1000";
    expect(client("okta").request(target("okta", {}, floor), next).url).toBe(next);
  });

  it("GitHub: the organization in the path, its API version header, bearer", () => {
    const r = client("github").request(target("github", { organization: "my org" }), null);
    expect(r.url).toBe(
      "https://github.example/base/orgs/my%20org/audit-log?per_page=100&order=desc&include=all",
    );
    expect(r.headers).toMatchObject({
      authorization: "Bearer s3cret",
      "x-github-api-version": "2022-11-28",
    });
    expect(r.method).toBeUndefined();
  });

  it("1Password: POST {limit, start_time}, then {cursor} alone", () => {
    const c = client("onepassword");
    const head = c.request(target("onepassword", {}, Date.UTC(2026, 0, 1)), null);
    expect([head.method, head.url, JSON.parse(head.body ?? "")]).toEqual([
      "POST",
      "https://onepassword.example/base/api/v1/auditevents",
      { limit: 1000, start_time: "2026-01-01T00:00:00.000Z" },
    ]);
    expect(head.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(c.request(target("onepassword"), "cur1").body ?? "")).toEqual({
      cursor: "cur1",
    });
  });

  it("Slack: oldest in epoch seconds, the cursor as a parameter", () => {
    const c = client("slack");
    const head = new URL(c.request(target("slack", {}, 1_789_459_260_999), null).url);
    expect(head.searchParams.get("oldest")).toBe("1789459260");
    const next = new URL(c.request(target("slack", {}, 1_789_459_260_999), "dXNl").url);
    expect([next.searchParams.get("cursor"), next.searchParams.has("oldest")]).toEqual([
      "dXNl",
      false,
    ]);
  });

  it("explains auth statuses in the manifest's words, or in general ones", () => {
    const explain = client("github").request(
      target("github", { organization: "acme" }),
      null,
    ).explainAuth;
    expect(explain(404)).toBe(
      'GitHub answered 404 for organization "acme": check its name, and that the token\'s user can see it',
    );
    expect(client("onepassword").request(target("onepassword"), null).explainAuth(404)).toBe(
      "1Password answered 404: check the token in TOK and its permissions",
    );
  });

  it("basic auth, for manifests that say so", () => {
    const basic = manifestVendor({
      ...manifest("slack"),
      poll: {
        ...(manifest("slack").poll as NonNullable<Manifest["poll"]>),
        auth: { kind: "basic" },
      },
    });
    expect((basic.poll as PollClient).request(target("slack"), null).headers.authorization).toBe(
      `Basic ${btoa("s3cret")}`,
    );
  });
});

describe("pages", () => {
  it('reads the rel="next" of a Link header among others', () => {
    const gh =
      '<https://api.github.com/orgs/a/audit-log?after=MS42&before=>; rel="next", <https://api.github.com/orgs/a/audit-log?after=&before=>; rel="first"';
    expect(nextLink(gh)).toBe("https://api.github.com/orgs/a/audit-log?after=MS42&before=");
    expect(
      nextLink('<https://o/logs?after=1>; rel="self", <https://o/logs?after=2>; rel="next"'),
    ).toBe("https://o/logs?after=2");
    expect(nextLink('<https://o/logs?after=1>; rel="self"')).toBeNull();
    expect(nextLink(null)).toBeNull();
  });

  it("follows a next link on the API's origin only", () => {
    const url = "https://okta.example/base/api/v1/logs";
    const items = [{ uuid: "a" }];
    expect(client("okta").parse(items, null, page(url, `<${url}?after=2>; rel="next"`))).toEqual({
      ok: true,
      items,
      next: `${url}?after=2`,
    });
    expect(
      client("okta").parse(items, null, page(url, '<https://evil.example/x>; rel="next"')),
    ).toMatchObject({ ok: false, error: expect.stringContaining("leaves https://okta.example") });
  });

  it("ends at an empty page, an empty cursor, or has_more false; refuses a page without its list", () => {
    expect(
      client("okta").parse([], null, page("https://o/x", '<https://o/x?after=9>; rel="next"')),
    ).toEqual({ ok: true, items: [], next: null });
    expect(
      client("slack").parse({ entries: [{}], response_metadata: { next_cursor: "" } }, null),
    ).toMatchObject({ next: null });
    expect(
      client("slack").parse({ entries: [{}], response_metadata: { next_cursor: "c2" } }, null),
    ).toMatchObject({ next: "c2" });
    expect(
      client("onepassword").parse({ items: [{}], cursor: "c", has_more: false }, null),
    ).toMatchObject({ next: null });
    expect(
      client("onepassword").parse({ items: [{}], cursor: "c", has_more: true }, null),
    ).toMatchObject({ next: "c" });
    expect(client("slack").parse({ ok: false, error: "invalid_auth" }, null)).toEqual({
      ok: false,
      error: "not a Slack page: entries is not a list",
    });
  });

  it("gives the walker each item's id and time in epoch ms", () => {
    const [gh] = MANIFEST_FIXTURES.github ?? [];
    expect([client("github").idOf(gh), client("github").timeOf(gh)]).toEqual([
      "Xt3kMhYzWq9bN2cR5vL8aQ",
      1789459200123,
    ]);
    const [sl] = MANIFEST_FIXTURES.slack ?? [];
    expect(client("slack").timeOf(sl)).toBe(1789459260000);
    expect(client("okta").order).toBe("oldest_first");
    expect(manifestPoll(manifest("github")).order).toBe("newest_first");
  });
});

describe("rows", () => {
  it("Okta: actor, client IP and user agent, geolocation, targets as resources", async () => {
    const e = await row("okta", 4);
    expect(e).toMatchObject({
      eventID: "1c4e6a8b-598d-11ef-c3d4-8e9f0a1b2c3d",
      eventName: "application.user_membership.add",
      eventTime: Date.parse("2026-09-14T08:45:09.311Z"),
      actor: {
        id: "00u9zx8c7v6b5n4m3l2k",
        email: "it-admin@acme.example",
        name: "IT Admin",
        type: "User",
      },
      src: { ip: "198.51.100.23", city: "San Francisco", latitude: 37.7749, longitude: -122.4194 },
      resources: ["AppInstance:0oa2b3c4d5e6f7g8h9i0", "AppUser:0ua3c4d5e6f7g8h9i0j1"],
      tags: {
        severity: "INFO",
        outcome: "SUCCESS",
        userAgent: expect.stringContaining("Chrome/124"),
      },
    });
    expect(e.sourceFields.oktaActor).toMatchObject({ alternateId: "it-admin@acme.example" });
  });

  it("GitHub: @timestamp in ms, read-only from operation_type, repo and user resources", async () => {
    const clone = await row("github", 2);
    expect(clone).toMatchObject({
      eventName: "git.clone",
      readOnly: true,
      eventTime: 1789458600789,
      src: { ip: "198.51.100.9", asCountryCode: "US" },
      actor: { id: "583231", name: "octocat" },
      resources: ["repo:acme/payments"],
    });
    expect(clone.sourceFields).toMatchObject({
      ghDocumentId: "Lk9jH7gF5dS3aP1oI2uY4t",
      ghTimestamp: 1789458600789,
    });
    const member = await row("github", 1);
    expect([member.readOnly, member.resources]).toEqual([false, ["user:mona"]]);
  });

  it("1Password: the name from object type and action; Slack: epoch seconds, entity resources", async () => {
    const op = await row("onepassword", 0);
    expect(op).toMatchObject({
      eventName: "gm.join",
      src: { ip: "192.0.2.254", asCountryCode: "CA", city: "Toronto" },
      resources: ["gm:pf8aoeqhitm4pbxlfeslwcyxm4", "aux:K6VFYDCJKHGGDI7QFAXX65LCDY"],
    });
    const sl = await row("slack", 1);
    expect(sl).toMatchObject({
      eventName: "file_downloaded",
      eventTime: 1789459020000,
      resources: ["file:F0123AB45C6"],
      actor: { email: "bird@acme.example", type: "user" },
      tags: { entityType: "file", locationType: "enterprise" },
    });
  });

  it("quarantines an event without its id or with a bad time, with the reason", async () => {
    const n = vendorOf("github").normalizer;
    const [gh] = MANIFEST_FIXTURES.github as Array<Record<string, unknown>>;
    const { _document_id: _, ...noId } = gh ?? {};
    expect(n.normalize({ value: noId, raw: "" })).toEqual({
      ok: false,
      code: "invalid_event",
      message: "_document_id: missing (the event id)",
    });
    expect(n.normalize({ value: { ...gh, "@timestamp": "yesterday" }, raw: "" })).toMatchObject({
      ok: false,
      code: "invalid_time",
    });
    expect(n.isEvent({ ...gh })).toBe(true);
    expect(n.isEvent({ entries: [] })).toBe(false);
  });
});

describe("configs", () => {
  it("takes the manifest's own fields; baseUrl is required when the vendor has no one origin", () => {
    const gh = vendorOf("github").config;
    expect(
      gh.safeParse({ id: "g", type: "github", tokenEnv: "T", organization: "acme" }).success,
    ).toBe(true);
    expect(gh.safeParse({ id: "g", type: "github", tokenEnv: "T" }).success).toBe(false);
    expect(
      gh.safeParse({ id: "g", type: "github", tokenEnv: "T", organization: "a/b" }).success,
    ).toBe(false);
    const okta = vendorOf("okta").config;
    expect(okta.safeParse({ id: "o", type: "okta", tokenEnv: "T" }).success).toBe(false);
    expect(
      okta.safeParse({ id: "o", type: "okta", tokenEnv: "T", baseUrl: "https://acme.okta.com" })
        .success,
    ).toBe(true);
    expect(
      okta.safeParse({
        id: "o",
        type: "okta",
        tokenEnv: "T",
        baseUrl: "https://acme.okta.com",
        organization: "x",
      }).success,
    ).toBe(false);
  });
});
