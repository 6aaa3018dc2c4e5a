import { z } from "zod";

/**
 * The vendor manifest (src/vendors/<type>/vendor.yaml): a polled vendor as data. Checked at build
 * time by scripts/vendors-bundle.mjs (which also writes src/vendors/manifest.schema.json from
 * this schema for editors) and bundled into src/vendors/manifests.gen.ts; the engine
 * (src/vendors/manifest/index.ts) turns each into the same `Vendor` a TypeScript vendor exports.
 */

const ident = /^[a-z][a-z0-9]*$/;
const path = z
  .string()
  .min(1)
  .describe(
    'A dotted path into the JSON ("actor.alternateId"); a key with a dot is not addressable',
  );
const timeFormat = z
  .enum(["iso", "epoch_s", "epoch_ms"])
  .describe("iso: ISO-8601 (no zone = UTC); epoch_s / epoch_ms: a number (or numeric string)");
const template = z
  .string()
  .describe(
    "Text with {field} placeholders: a field of the source's config (tokenEnv, organization…)",
  );

const configField = z.strictObject({
  description: z.string().min(1),
  pattern: z.string().optional().describe("A regular expression the value must match (whole)"),
  dev: z.string().min(1).describe("The value of the dev source npm start derives (the mock's)"),
});

const auth = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("bearer") }).describe("Authorization: Bearer <token>"),
  z
    .strictObject({
      kind: z.literal("header"),
      name: z.string().min(1).default("authorization"),
      prefix: z.string().default("").describe('Put before the token, e.g. "SSWS " (Okta)'),
    })
    .describe("<name>: <prefix><token>"),
  z
    .strictObject({ kind: z.literal("basic") })
    .describe('HTTP Basic: the token variable holds "user:password"'),
]);

const pagination = z.discriminatedUnion("kind", [
  z
    .strictObject({
      kind: z.literal("link"),
      param: z.string().default("after").describe("The cursor parameter of its links (the mock's)"),
    })
    .describe('The next page is the Link header\'s rel="next" URL (same origin only)'),
  z
    .strictObject({ kind: z.literal("cursor"), path, param: z.string().min(1) })
    .describe(
      "The body's `path` holds the next token (empty or missing: the end), sent as `param`",
    ),
  z
    .strictObject({
      kind: z.literal("page"),
      param: z.string().min(1),
      first: z.number().int().nonnegative().default(1),
    })
    .describe("Page numbers from `first`; an empty page is the end"),
  z
    .strictObject({
      kind: z.literal("body_cursor"),
      path,
      field: z.string().min(1).describe("The body of the next request is {<field>: token}"),
      hasMore: path.describe("The body's boolean saying another page follows"),
    })
    .describe("POST APIs: the next request's JSON body is the cursor the page answered"),
]);

const poll = z.strictObject({
  baseUrl: z
    .url()
    .optional()
    .describe("The vendor's API origin, the default of the source's baseUrl (none: required)"),
  request: z.strictObject({
    method: z.enum(["GET", "POST"]).default("GET"),
    path: template.describe("Appended to baseUrl, e.g. /orgs/{organization}/audit-log"),
    query: z.record(z.string(), template).default({}),
    headers: z.record(z.string(), template).default({}),
    body: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .optional()
      .describe("POST: the first request's JSON body (string values are templates)"),
  }),
  auth,
  records: z
    .string()
    .describe('The path of the page\'s list of events ("" : the body is the list)'),
  pagination,
  order: z
    .enum(["newest_first", "oldest_first"])
    .describe("newest_first: walked back to the overlap window; oldest_first: read to the end"),
  since: z
    .strictObject({
      param: z.string().min(1),
      format: timeFormat,
      in: z.enum(["query", "body"]).default("query"),
    })
    .optional()
    .describe("Sent with the first page: the high-water mark minus the overlap window"),
  errors: z
    .partialRecord(z.enum(["401", "402", "403", "404"]), template)
    .default({})
    .describe("What to tell the user for each auth/permission status ({tokenEnv}, {field})"),
});

const resource = z.strictObject({
  path,
  type: z.string().optional().describe("The resource type written before the id"),
  typePath: path.optional().describe("…or the path of the event's field holding the type"),
  typeKey: z.string().optional().describe("List of objects: each object's key of the type"),
  idKey: z.string().optional().describe("List of objects: each object's key of the id"),
});

const map = z.strictObject({
  id: z
    .union([z.strictObject({ path }), z.strictObject({ hash: z.literal("canonical_json") })])
    .describe("The event's own id, or the SHA-256 of its canonical JSON"),
  time: z.strictObject({ path, format: timeFormat }),
  name: z.union([path, z.strictObject({ template: z.string().min(1) })]),
  actor: z.partialRecord(z.enum(["id", "email", "name", "type", "username"]), path).default({}),
  srcIp: path.optional(),
  userAgent: path.optional().describe("Kept as the tag userAgent"),
  geo: z.partialRecord(z.enum(["city", "countryCode", "latitude", "longitude"]), path).default({}),
  resources: z.array(resource).default([]),
  readOnly: z
    .union([
      z.strictObject({ names: z.array(z.string()).min(1) }),
      z.strictObject({ pattern: z.string().min(1) }),
      z.strictObject({ path, values: z.array(z.string()).min(1) }),
    ])
    .optional()
    .describe("Read-only events: by name, by a pattern of the name, or by a field's values"),
  tags: z.record(z.string(), path).default({}),
});

const view = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/),
  description: z.string().min(1),
  prefix: z.string().regex(ident),
  columns: z
    .array(z.union([path, z.strictObject({ name: z.string().regex(/^[a-z][A-Za-z0-9]*$/), path })]))
    .min(1)
    .describe("Paths of the event shown as columns: <prefix><Path> (camelCase), or {name, path}"),
});

export const manifestSchema = z.strictObject({
  $schema: z.string().optional(),
  type: z.string().regex(ident, "must be lowercase letters and digits"),
  name: z.string().min(1).describe("The vendor's name in messages"),
  docs: z.url().describe("The API documentation the manifest follows"),
  config: z.record(z.string().regex(/^[a-z][A-Za-z0-9]*$/), configField).default({}),
  poll,
  map,
  view,
});

export type Manifest = z.output<typeof manifestSchema>;
export type ManifestMap = Manifest["map"];
export type ManifestPoll = Manifest["poll"];
export type TimeFormat = z.output<typeof timeFormat>;
