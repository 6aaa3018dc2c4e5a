import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { present } from "../../src/catalog";
import { knownFields, products, ruleRow } from "../../src/detect/fields";
import { bundledPipelines, bundledProcessing } from "../../src/detect/pipelines";
import { type DetectionRule, fieldValue, isKnownField, parseRules } from "../../src/detect/sigma";
import { toRow } from "../../src/store/rows";
import { findVendor, normalizerFor } from "../../src/vendors";
import { fixtureEvents } from "../../src/vendors/manifest/mock-api";
import { MANIFESTS } from "../../src/vendors/manifests.gen";
import { sigmaFixture } from "./sigma-fixtures";

/**
 * SigmaHQ's own okta and github rules (the pinned copy in test/fixtures/sigma, DRL 1.1), loaded
 * as the Worker loads them (the bundled pipelines of rules/pipelines/), against the okta and
 * github fixture events made into rows as the pipeline and GET /v1/logs make them (vendor
 * normalizer → toRow → present → ruleRow). Each rule fires on its event(s) and on no other.
 */

const SIGMAHQ = new Map(sigmaFixture("sigmahq-rules.ndjson.gz").map((f) => [f.path, f.yaml]));

/** The rule as the Worker runs it: through the bundled pipelines. */
function sigmahqRule(path: string): DetectionRule {
  const yaml = SIGMAHQ.get(path);
  if (yaml === undefined) throw new Error(`${path} is not in the pinned SigmaHQ copy`);
  const [rule, ...rest] = parseRules(yaml, knownFields, products(), bundledProcessing());
  if (rule?.kind !== "detection" || rest.length > 0) throw new Error(`${path}: one detection`);
  return rule;
}

/** Every fixture event of a manifest vendor (its fixtures/page*.json), as the row rules read. */
async function fixtureRows(
  type: string,
): Promise<{ event: string; row: Record<string, unknown> }[]> {
  const manifest = MANIFESTS.find((m) => m.type === type);
  if (!manifest) throw new Error(`no manifest ${type}`);
  const dir = `src/vendors/${type}/fixtures`;
  const pages = readdirSync(dir)
    .filter((f) => /^page\d+\.json$/.test(f))
    .sort()
    .map((f) => JSON.parse(readFileSync(`${dir}/${f}`, "utf8")) as unknown);
  const rows = [];
  for (const value of fixtureEvents(manifest, pages)) {
    const row = await rowOf(type, value);
    rows.push({ event: String(row.eventName), row });
  }
  return rows;
}

/** One vendor event as the row rules read (normalizer → toRow → present → ruleRow). */
async function rowOf(type: string, value: unknown): Promise<Record<string, unknown>> {
  const out = normalizerFor(type).normalize({ value, raw: JSON.stringify(value) });
  if (!out.ok) throw new Error(`${type} event does not normalize: ${out.message}`);
  const view = findVendor(type)?.view;
  const source = { id: `${type}-prod`, type };
  const stored = toRow(
    source,
    out.event,
    Date.UTC(2026, 8, 15),
    view ? { view, parsed: value } : undefined,
  );
  return ruleRow(present(stored));
}

const OKTA: Record<string, string[]> = {
  "rules/identity/okta/okta_api_token_created.yml": ["system.api_token.create"],
  "rules/identity/okta/okta_mfa_reset_or_deactivated.yml": ["user.mfa.factor.deactivate"],
  // displayMessage "Max sign in attempts exceeded" (tags.displayMessage)
  "rules/identity/okta/okta_user_account_locked_out.yml": ["user.account.lock"],
  // securityContext.isProxy 'true' against the boolean of the event (oktaSecurityContext)
  "rules/identity/okta/okta_user_session_start_via_anonymised_proxy.yml": ["user.session.start"],
  // legacyEventType login_failed, actor.alternateId (actor.email) not an email: a password typed
  "rules/identity/okta/okta_password_in_alternateid_field.yml": ["user.session.start"],
  // outcome.reason and outcome.result (tags.outcomeReason, tags.outcome)
  "rules/identity/okta/okta_fastpass_phishing_detection.yml": ["user.authentication.auth_via_mfa"],
  "rules/identity/okta/okta_admin_role_assigned_to_user_or_group.yml": [
    "user.account.privilege.grant",
  ],
};

const GITHUB: Record<string, string[]> = {
  "rules/application/github/audit/github_delete_action_invoked.yml": ["repo.destroy"],
  "rules/application/github/audit/github_new_org_member.yml": ["org.add_member"],
  "rules/application/github/audit/github_push_protection_bypass_detected.yml": [
    "secret_scanning_push_protection.bypass",
  ],
  "rules/application/github/audit/github_new_secret_created.yml": ["repo.create_actions_secret"],
  "rules/application/github/audit/github_disable_high_risk_configuration.yml": [
    "org.disable_two_factor_requirement",
  ],
  "rules/application/github/audit/github_repository_archive_status_changed.yml": ["repo.archived"],
};

describe.each([
  ["okta", OKTA],
  ["github", GITHUB],
])("SigmaHQ's %s rules through the shipped pipelines", (type, expected) => {
  it.each(Object.entries(expected))(
    "%s fires on its event and on no other",
    async (path, events) => {
      const rule = sigmahqRule(path);
      expect(rule).toMatchObject({ product: type, service: null, category: null, reachable: true });
      expect(rule.warnings).toEqual([]);
      expect(rule.processing).toContain(
        `sigmahq-${type}/${type === "okta" ? "okta_system_log_service" : "github_audit_service"}`,
      );
      const rows = await fixtureRows(type);
      const fired = rows.filter(({ row }) => rule.match(row) !== null).map((r) => r.event);
      expect(fired).toEqual(events);
    },
  );

  it("without the pipelines, the same rules do not load (SigmaHQ's field names are not ours)", () => {
    for (const path of Object.keys(expected)) {
      const yaml = SIGMAHQ.get(path) as string;
      expect(() => parseRules(yaml, knownFields, products())).toThrow(/unknown field/);
    }
  });
});

describe("the okta rule with a proxy and a failed sign-in", () => {
  it("reads nested okta fields through the vendor pipeline (securityContext → oktaSecurityContext)", async () => {
    const rule = sigmahqRule(
      "rules/identity/okta/okta_user_session_start_via_anonymised_proxy.yml",
    );
    const rows = await fixtureRows("okta");
    const proxied = rows.find(({ row }) => rule.match(row) !== null);
    expect(proxied?.row.srcIP).toBe("203.0.113.199");
    expect(rule.match(proxied?.row ?? {})).toEqual([
      'selection: eventName: "user.session.start", oktaSecurityContext.isProxy: "true"',
    ]);
  });
});

describe("the shipped pipelines (rules/pipelines/)", () => {
  const files = bundledPipelines();
  const VENDORS = [
    "turbopuffer",
    "circleci",
    "airkit",
    "planetscale",
    "turso",
    "okta",
    "github",
    "onepassword",
    "slack",
  ];

  it("one per vendor, and the SigmaHQ okta and github ones first", () => {
    expect(files.map((f) => f.id).sort()).toEqual(
      [...VENDORS, "sigmahq-github", "sigmahq-okta"].sort(),
    );
    expect(bundledProcessing()[0]?.pipeline).toBe("sigmahq-github");
  });

  it("map onto fields of the product, and a vendor's never renames one of its columns", () => {
    for (const f of files)
      for (const item of f.pipeline.items) {
        const t = item.transformation;
        const product = item.ruleConditions[0]?.product ?? null;
        expect(product, `${f.id}/${item.id}`).not.toBeNull();
        const known = knownFields(product);
        if (t.type !== "field_name_mapping" && t.type !== "field_name_prefix_mapping") continue;
        for (const [from, to] of t.mapping) {
          const sample = (name: string) => (t.type === "field_name_mapping" ? name : `${name}x`);
          for (const target of to)
            expect(isKnownField(sample(target), known), `${f.id}: ${from} → ${target}`).toBe(true);
          // (a key under actor.* that the actor map does not hold, e.g. Slack's actor.user.id, may be mapped)
          if (VENDORS.includes(f.id))
            expect(known.has(from), `${f.id}: ${from} is a column`).toBe(false);
        }
      }
  });
});

describe("a field path through an array of objects (Okta's target)", () => {
  /** The first okta fixture event, changed into another event type with other targets. */
  async function oktaEvent(
    eventType: string,
    target: unknown[],
    debugData: Record<string, unknown> = {},
  ): Promise<Record<string, unknown>> {
    const [first] = JSON.parse(readFileSync("src/vendors/okta/fixtures/page1.json", "utf8")) as [
      Record<string, unknown>,
    ];
    const event = structuredClone(first);
    event.uuid = `${eventType}-${JSON.stringify(target).length}`;
    event.eventType = eventType;
    event.target = target;
    (event.debugContext as { debugData: Record<string, unknown> }).debugData = {
      requestUri: "/admin/sso/request",
      ...debugData,
    };
    return rowOf("okta", event);
  }
  const app = { id: "0oa1", type: "AppInstance", alternateId: "Okta Admin Console" };
  const user = { id: "00u1", type: "User", alternateId: "ana.lima@acme.example" };

  it("SigmaHQ's okta_new_behaviours_admin_console matches when any target's displayName does", async () => {
    const rule = sigmahqRule("rules/identity/okta/okta_new_behaviours_admin_console.yml");
    const positive = { behaviors: "{New Geo-Location=POSITIVE, New Device=NEGATIVE}" };
    const admin = await oktaEvent(
      "policy.evaluate_sign_on",
      [
        { ...user, displayName: "Ana Lima" },
        { ...app, displayName: "Okta Admin Console" },
      ],
      positive,
    );
    expect(rule.match(admin)).toEqual([
      'selection_event: eventName: "policy.evaluate_sign_on", oktaTarget.displayName: "Okta Admin Console"',
      'selection_positive: oktaDebugContext.debugData.behaviors|contains: "POSITIVE"',
    ]);
    const otherApp = await oktaEvent(
      "policy.evaluate_sign_on",
      [
        { ...user, displayName: "Ana Lima" },
        { ...app, displayName: "Salesforce.com" },
      ],
      positive,
    );
    expect(rule.match(otherApp)).toBeNull();
    const noTargets = await oktaEvent("policy.evaluate_sign_on", [], positive);
    expect(rule.match(noTargets)).toBeNull();
  });

  it("SigmaHQ's okta_apt_suspicious_user_creation matches a created user among several targets", async () => {
    const rule = sigmahqRule(
      "rules-emerging-threats/2023/TA/Okta-Support-System-Breach/okta_apt_suspicious_user_creation.yml",
    );
    const created = await oktaEvent("user.lifecycle.create", [
      { ...app, displayName: "Okta Admin Console" },
      { ...user, displayName: "svc_network_backup-2" },
    ]);
    expect(rule.match(created)).not.toBeNull();
    const other = await oktaEvent("user.lifecycle.create", [{ ...user, displayName: "Ana Lima" }]);
    expect(rule.match(other)).toBeNull();
  });

  it("exists and null: present in any element exists (null too); null matches when no element has a value", async () => {
    const rule = (selection: string) => {
      const yaml = `title: t\nid: t\nlogsource: { product: okta }\ndetection:\n  selection:\n    ${selection}\n  condition: selection\n`;
      const [r] = parseRules(yaml, knownFields, products(), bundledProcessing());
      return r as DetectionRule;
    };
    const rows = {
      someNamed: await oktaEvent("x.y", [{ id: "1" }, { id: "2", displayName: "B" }]),
      nullNamed: await oktaEvent("x.y", [{ id: "1", displayName: null }, { id: "2" }]),
      unnamed: await oktaEvent("x.y", [{ id: "1" }, { id: "2" }]),
      empty: await oktaEvent("x.y", []),
    };
    const matching = (r: DetectionRule) =>
      Object.entries(rows).flatMap(([k, row]) => (r.match(row) ? [k] : []));
    expect(matching(rule("oktaTarget.displayName|exists: true"))).toEqual([
      "someNamed",
      "nullNamed",
    ]);
    expect(matching(rule("oktaTarget.displayName|exists: false"))).toEqual(["unnamed", "empty"]);
    expect(matching(rule("oktaTarget.displayName: null"))).toEqual([
      "nullNamed",
      "unnamed",
      "empty",
    ]);
    expect(matching(rule("oktaTarget.displayName: b"))).toEqual(["someNamed"]);
    expect(matching(rule("oktaTarget.id|all: ['1', '2']"))).toEqual(Object.keys(rows).slice(0, 3));
    // Dedup keys and correlation groups read the same values.
    expect(fieldValue(rows.someNamed, "oktaTarget.displayName")).toEqual(["B"]);
    expect(fieldValue(rows.nullNamed, "oktaTarget.displayName")).toBeNull();
    expect(fieldValue(rows.unnamed, "oktaTarget.displayName")).toBeUndefined();
  });
});
