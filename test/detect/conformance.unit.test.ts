import { describe, expect, it } from "vitest";
import { knownFields, products } from "../../src/detect/fields";
import { bundledProcessing } from "../../src/detect/pipelines";
import { parseRules, RuleError } from "../../src/detect/sigma";
import { type SigmaFixture, sigmaFixture } from "./sigma-fixtures";

/**
 * Conformance: every rule of SigmaHQ/sigma (pinned in test/fixtures/sigma, DRL 1.1, see the
 * README there) through the production parser, with auditflare's fields and source types and
 * the bundled processing pipelines (rules/pipelines/). Prints loaded / refused by reason, and
 * per product the rules a source can match (`npx vitest run --project unit test/detect/conformance`).
 */

/** A refusal's reason without the rule's own values: the feature it names. */
function reasonOf(err: RuleError): string {
  return err.reason
    .replace(/ \(rule "[^"]*"\)$/, "")
    .replace(/ \(known: .*\)$/, "")
    .replace(/unknown field "[^"]*"/, 'unknown field "…"')
    .replace(/^condition "[^"]*": /, "condition: ")
    .replace(/^[^ ]+: invalid regular expression/, "invalid regular expression")
    .slice(0, 90);
}

function conformance(files: SigmaFixture[]) {
  const refused = new Map<string, number>();
  const warned = new Map<string, number>();
  /** Per logsource.product as written: rules that load and that a source can match. */
  const reachable = new Map<string, number>();
  let loaded = 0;
  for (const f of files) {
    try {
      const rules = parseRules(f.yaml, knownFields, products(), bundledProcessing());
      loaded++;
      const written = /^ {2,4}product: *['"]?([\w-]+)/m.exec(f.yaml)?.[1] ?? "(none)";
      if (rules.some((r) => r.kind === "detection" && r.reachable))
        reachable.set(written, (reachable.get(written) ?? 0) + 1);
      for (const w of new Set(rules.flatMap((r) => r.warnings ?? []))) {
        const key = w
          .replace(/^line \d+: /, "")
          .replace(/"[^"]*"/g, "…")
          .slice(0, 90);
        warned.set(key, (warned.get(key) ?? 0) + 1);
      }
    } catch (err) {
      if (!(err instanceof RuleError)) throw new Error(`${f.path}: ${String(err)}`);
      const reason = reasonOf(err);
      refused.set(reason, (refused.get(reason) ?? 0) + 1);
    }
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return {
    total: files.length,
    loaded,
    refused: sorted(refused),
    warned: sorted(warned),
    reachable: sorted(reachable),
  };
}

describe("conformance: SigmaHQ/sigma rules", () => {
  it("loads every rule that uses only supported features; prints loaded / refused by reason", () => {
    const result = conformance(sigmaFixture("sigmahq-rules.ndjson.gz"));
    console.log(
      `SigmaHQ conformance: ${result.loaded} of ${result.total} loaded\n` +
        `refused:\n${result.refused.map(([r, n]) => `  ${n}\t${r}`).join("\n")}\n` +
        `warnings (rules):\n${result.warned.map(([r, n]) => `  ${n}\t${r}`).join("\n")}\n` +
        `a source can match them (by logsource.product):\n${result.reachable.map(([p, n]) => `  ${n}\t${p}`).join("\n")}`,
    );
    expect(result.total).toBe(3780);
    // Every refusal is a feature not built (expand: placeholders need a pipeline) or a rule
    // the specification does not allow; a new reason, or more of them, fails here.
    // SigmaHQ's okta and github rules name the vendors' own fields: through the shipped
    // pipelines they load (without them: 40 unknown fields, 3,715 loaded).
    expect(result.refused.map(([reason, n]) => [reason.split(":")[0], n])).toEqual([
      ['modifier "expand" is not supported', 25],
      ['unknown field "…"', 1],
      ['"select_tree_execution|endswith" cannot be a selection name', 1],
    ]);
    expect(result.loaded).toBe(3753);
    // The cloud/SaaS rules a source of auditflare can match, through rules/pipelines/: all of
    // SigmaHQ's okta and github rules that load (before the pipelines: none; they were refused
    // for SigmaHQ's field names, and their services okta/audit are no source ids).
    expect(result.reachable).toEqual([
      ["okta", 23],
      ["github", 15],
      ["(none)", 3],
    ]);
  });
});
