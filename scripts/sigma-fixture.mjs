#!/usr/bin/env node
/**
 * Rebuilds test/fixtures/sigma/ from git checkouts of SigmaHQ/sigma and
 * SigmaHQ/sigma-specification: `node scripts/sigma-fixture.mjs <sigma.git> <spec.git>`.
 * Writes sigmahq-rules.ndjson.gz ({path, yaml} per line: every rule of rules*, as the issue
 * counts them) and spec-correlations.ndjson.gz (the specification's correlation examples:
 * tests/schema/correlation/*.yml and the multi-document example of the correlation chapter),
 * and prints the commits to record in the README beside them.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const [sigma, spec] = process.argv.slice(2);
if (!sigma || !spec) {
  console.error("usage: node scripts/sigma-fixture.mjs <sigma git dir> <specification git dir>");
  process.exit(2);
}
const git = (dir, ...args) =>
  execFileSync("git", ["--git-dir", dir, ...args], { encoding: "utf8", maxBuffer: 1 << 28 });
const files = (dir, re) =>
  git(dir, "ls-tree", "-r", "--name-only", "HEAD")
    .split("\n")
    .filter((p) => re.test(p))
    .sort();
const lines = (dir, paths) =>
  paths.map((path) => JSON.stringify({ path, yaml: git(dir, "show", `HEAD:${path}`) })).join("\n");
const out = "test/fixtures/sigma";

const rules = files(sigma, /^rules(-[a-z-]+)?\/.*\.ya?ml$/);
writeFileSync(`${out}/sigmahq-rules.ndjson.gz`, gzipSync(`${lines(sigma, rules)}\n`, { level: 9 }));

const schema = files(spec, /^tests\/schema\/correlation\/.*\.yml$/);
const chapter = git(spec, "show", "HEAD:specification/sigma-correlation-rules-specification.md");
const example = /### Failed Logins Followed by Successful Login[\s\S]*?```yml\n([\s\S]*?)```/.exec(
  chapter,
)?.[1];
if (!example) throw new Error("the login example is not in the correlation chapter");
const specLines = [
  lines(spec, schema),
  JSON.stringify({
    path: "specification/sigma-correlation-rules-specification.md#example",
    yaml: example,
  }),
];
writeFileSync(
  `${out}/spec-correlations.ndjson.gz`,
  gzipSync(`${specLines.join("\n")}\n`, { level: 9 }),
);
console.log(`${rules.length} rules from SigmaHQ/sigma ${git(sigma, "rev-parse", "HEAD").trim()}`);
console.log(
  `${schema.length + 1} correlation examples from SigmaHQ/sigma-specification ${git(spec, "rev-parse", "HEAD").trim()}`,
);
