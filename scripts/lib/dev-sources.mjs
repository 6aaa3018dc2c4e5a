// The dev sources `npm start` derives from the vendor registry, so a new vendor runs locally with
// no hand edit of .dev.vars.example: every vendor type the developer's SOURCES lacks gets one
// source named after it, aimed at the vendor's local mock (a polled vendor), with a dev token
// (a pushed one), or at a landing-bucket prefix (a bucket one). Pure: scripts/start.mjs writes
// the result to the env file it hands wrangler dev; test/config-files.unit.test.ts checks it.

/** The env var a derived source's secret lives in, e.g. OKTA_DEV_TOKEN. */
const envName = (type, what) => `${type.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_${what}`;

/**
 * `sources`: the SOURCES of .dev.vars (parsed JSON); `vendors`: the registry's
 * `{ type, transports }`; `mocks`: type → `{ prefix, token, devFields? }` of its mock;
 * `mockBase`: where scripts/mock-vendors.mjs serves them. Returns the sources to add and their
 * secrets (`vars`), none when every type already has a source.
 */
export function derivedDevSources(sources, vendors, mocks, mockBase) {
  const have = new Set(sources.map((s) => s.type));
  const added = [];
  const vars = {};
  for (const v of vendors) {
    if (have.has(v.type) || v.transports.includes("builtin")) continue;
    const mock = mocks[v.type];
    if (v.transports.includes("poll") && mock) {
      const tokenEnv = envName(v.type, "DEV_TOKEN");
      added.push({
        id: v.type,
        type: v.type,
        // a manifest vendor's own fields (its manifest's `dev` values), else the organization
        ...(mock.devFields ?? { organization: "acme" }),
        tokenEnv,
        baseUrl: `${mockBase}${mock.prefix}`,
      });
      vars[tokenEnv] = mock.token;
    } else if (v.transports.includes("push")) {
      const ingestTokenEnv = envName(v.type, "INGEST_TOKEN");
      added.push({ id: v.type, type: v.type, ingestTokenEnv });
      vars[ingestTokenEnv] = `dev-${v.type}-ingest-token`;
    } else if (v.transports.includes("bucket")) {
      added.push({ id: v.type, type: v.type, prefix: `${v.type}/` });
    }
  }
  return { sources: added, vars };
}

const SOURCES_LINE = /^SOURCES='(.*)'$/m;

/** The SOURCES of a .dev.vars text: [] without the line, null when it is not valid JSON. */
export function devVarsSources(text) {
  const line = text.match(SOURCES_LINE);
  if (!line) return [];
  try {
    return JSON.parse(line[1]);
  } catch {
    return null;
  }
}

/** A .dev.vars text with `sources` appended to its SOURCES line and `vars` set. */
export function withDevSources(text, added) {
  if (added.sources.length === 0) return text;
  const line = text.match(SOURCES_LINE);
  const current = line ? JSON.parse(line[1]) : [];
  const sources = `SOURCES='${JSON.stringify([...current, ...added.sources])}'`;
  const next = line ? text.replace(line[0], () => sources) : `${text}\n${sources}\n`;
  const vars = Object.entries(added.vars).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return `${next.replace(/\n*$/, "\n")}${vars.join("\n")}\n`;
}
