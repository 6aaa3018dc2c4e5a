import { z } from "zod";
import { TYPE_EXPRESSION } from "./types";

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

const types = z
  .record(
    path,
    z
      .string()
      .regex(
        TYPE_EXPRESSION,
        "must be string, text, number, integer, count, boolean, object, array or iso (| for either, ? for optional)",
      ),
  )
  .default({});

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
  z
    .strictObject({
      kind: z.literal("google_service_account"),
      scope: z.string().min(1).describe("The OAuth scope(s) asked for, space-separated"),
    })
    .describe(
      "The token variable holds a Google service-account key (JSON): exchanged for an access token (JWT bearer grant), sent as Authorization: Bearer",
    ),
  z
    .strictObject({
      kind: z.literal("body"),
      field: z.string().min(1).describe("The JSON body's field that carries the token"),
    })
    .describe("POST APIs that take the token in the body: {<field>: token} in every request"),
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
      totalPages: path
        .optional()
        .describe("The body's number of pages: the walk ends at the last (Turso's total_pages)"),
    })
    .describe("Page numbers from `first`; an empty page is the end"),
  z
    .strictObject({
      kind: z.literal("offset"),
      param: z.string().min(1).describe("The offset parameter (the number of events to skip)"),
      first: z.number().int().nonnegative().default(0),
      size: z
        .number()
        .int()
        .positive()
        .optional()
        .describe("The page size the request asks for: a shorter page is the last"),
      total: path.optional().describe("The body's number of events: the walk ends there"),
    })
    .describe("Offsets: the next page starts after the events read so far; an empty page ends"),
  z
    .strictObject({
      kind: z.literal("body_cursor"),
      path,
      field: z.string().min(1).describe("The body of the next request is {<field>: token}"),
      hasMore: path.describe("The body's boolean saying another page follows"),
    })
    .describe("POST APIs: the next request's JSON body is the cursor the page answered"),
]);

const poll = z
  .strictObject({
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
    envelope: types.describe(
      "The page's fields and their JSON types: a page that fails is malformed (kept in quarantine)",
    ),
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
    rateLimit: z
      .strictObject({
        requests: z.number().int().positive(),
        perSeconds: z.number().positive(),
      })
      .optional()
      .describe(
        "The vendor's documented limit: a run's requests are spaced evenly (a 429's Retry-After is honoured besides)",
      ),
    errors: z
      .partialRecord(z.enum(["401", "402", "403", "404"]), template)
      .default({})
      .describe("What to tell the user for each auth/permission status ({tokenEnv}, {field})"),
  })
  .refine((p) => p.auth.kind !== "body" || p.request.method === "POST", {
    message: "auth kind body needs request.method POST (the token goes in the JSON body)",
    path: ["auth"],
  });

const resource = z.strictObject({
  path,
  typePath: path.optional().describe("The path of the event's field holding the resource type"),
  type: z.string().optional().describe("The resource type (when typePath has none; default: path)"),
  typeKey: z.string().optional().describe("List of objects: each object's key of the type"),
  idKey: z.string().optional().describe("List of objects: each object's key of the id"),
});

const nameTemplate = z.strictObject({ template: z.string().min(1) });

const prepare = z
  .strictObject({
    when: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe("Only objects with one of these keys (as written) are prepared (default: all)"),
    keys: z
      .enum(["lower", "upper_snake"])
      .optional()
      .describe(
        "Keys trimmed and rewritten: lower-case (OCCURRED_AT → occurred_at), or upper snake case (eventTime, event-time, event_time → EVENT_TIME)",
      ),
    blank: z
      .enum(["drop", "null"])
      .optional()
      .describe("A blank string value (spaces only): the key left out, or null"),
    cells: z
      .literal("json")
      .optional()
      .describe(
        'A string value that looks like a JSON object or list is parsed (nesting bounded); "true" / "false" are booleans',
      ),
    nest: z
      .array(z.string().min(1))
      .default([])
      .describe(
        "Flattened objects put back: actor_id → actor.id (the first prefix that matches, after keys are rewritten)",
      ),
    integers: z
      .array(z.string().min(1))
      .default([])
      .describe("Keys whose digit strings are numbers (after keys are rewritten)"),
  })
  .describe(
    "Flat rows (a CSV export, keys in any case) turned into the event the rest of `map` reads; rawLog keeps the row as received",
  );

const map = z.strictObject({
  prepare: prepare.optional(),
  types: types.describe(
    "The event's fields and their JSON types, checked first: a wrong type quarantines the event",
  ),
  isEvent: z
    .array(z.array(path).min(1))
    .min(1)
    .optional()
    .describe(
      "Files and pushes: an object is one event when it has every path of one of these lists (default: the id and time paths)",
    ),
  id: z
    .union([
      z.strictObject({
        path,
        fallback: z
          .literal("canonical_json")
          .optional()
          .describe("When the event has no id at `path`: the SHA-256 of its canonical JSON"),
      }),
      z.strictObject({ hash: z.literal("canonical_json") }),
    ])
    .describe("The event's own id, or the SHA-256 of its canonical JSON"),
  time: z.strictObject({
    path,
    format: timeFormat,
    fallback: z.array(path).default([]).describe("Read in turn when `path` holds no time"),
  }),
  name: z
    .union([path, nameTemplate, z.array(z.union([path, nameTemplate])).min(2)])
    .describe(
      "A path, a template, or alternatives: the first path present (not null), or template whose fields all have a value",
    ),
  actor: z
    .record(z.string().regex(/^[a-z][A-Za-z0-9]*$/), path)
    .default({})
    .describe(
      "The actor map's keys (id, email, name, type, username, or any camelCase key), each a path",
    ),
  emailFromName: z
    .boolean()
    .default(true)
    .describe("An actor name that is an email address is the actor's email too (unless mapped)"),
  srcIp: z
    .union([path, z.array(path).min(1)])
    .optional()
    .describe("A path, or paths read in turn: the first present (not missing or null)"),
  userAgent: path.optional().describe("Kept as the tag userAgent"),
  geo: z.partialRecord(z.enum(["city", "countryCode", "latitude", "longitude"]), path).default({}),
  resources: z.array(resource).default([]),
  readOnly: z
    .union([
      z.strictObject({ names: z.array(z.string()).min(1) }),
      z.strictObject({ pattern: z.string().min(1) }),
      z.strictObject({ path, values: z.array(z.string()).min(1) }),
      z
        .strictObject({ reads: z.array(z.string()).min(1) })
        .describe("These names are reads (true); of the others nothing is known (null)"),
      z
        .strictObject({ writes: z.array(z.string()).min(1) })
        .describe("These names are writes (false); of the others nothing is known (null)"),
    ])
    .optional()
    .describe(
      "Read-only events: by name, by a pattern of the name, by a field's values, or known reads / writes only",
    ),
  tags: z
    .record(
      z.string(),
      z.union([
        path,
        z.strictObject({
          path,
          values: z
            .record(z.string(), z.string())
            .describe('The tag of each value (as text: "true", "42", "x"); others are left out'),
        }),
      ]),
    )
    .default({})
    .describe("Each a path (or a path and a table of its values); empty values are left out"),
  tagsFrom: path.optional().describe("An object whose every entry is a tag (before `tags`)"),
});

const view = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/),
  description: z.string().min(1),
  prefix: z.string().regex(ident),
  common: z
    .array(z.string().regex(/^[a-zA-Z]+$/))
    .min(1)
    .optional()
    .describe(
      "The common columns the view shows (default: all 36), for a seed view that has fewer",
    ),
  rawLog: z
    .boolean()
    .default(true)
    .describe(
      "Columns whose path SQLite can read are read from rawLog (false: always stored, when the raw keys are not the paths)",
    ),
  columns: z
    .array(
      z.union([
        path,
        z.strictObject({
          name: z
            .string()
            .regex(/^[a-z][A-Za-z0-9]*$/)
            .optional(),
          path,
          as: z
            .enum(["number", "string"])
            .optional()
            .describe(
              "number: a number, or a numeric string read as one (else null); string: a string (else null)",
            ),
          default: z
            .unknown()
            .optional()
            .describe("The value when the path holds nothing (missing or null)"),
        }),
      ]),
    )
    .min(1)
    .describe(
      "Paths of the event shown as columns: <prefix><Path> (camelCase), or {name, path, as}",
    ),
});

const mock = z
  .strictObject({
    token: z
      .string()
      .min(1)
      .optional()
      .describe("The secret it accepts (default dev-<type>-token)"),
    cursor: z
      .enum(["opaque", "last_id"])
      .default("opaque")
      .describe(
        "cursor paging: an opaque token, empty at the end; or the page's last event id, named on every page (the end is an empty page)",
      ),
    more: path.optional().describe("Where it writes whether another page follows (has_next)"),
    body: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .default({})
      .describe("Constant fields of each page"),
  })
  .describe(
    "npm start's stand-in of the API (src/vendors/manifest/mock-api.ts); the Worker ignores it",
  );

const push = z
  .strictObject({
    auth: z
      .discriminatedUnion("kind", [
        z
          .strictObject({ kind: z.literal("bearer") })
          .describe("Authorization: Bearer <the secret in the source's ingestTokenEnv>"),
        z
          .strictObject({
            kind: z.literal("hmac"),
            header: z.string().min(1).describe("The header carrying the signature"),
            algorithm: z.enum(["SHA-256", "SHA-1", "SHA-512"]),
            encoding: z.enum(["hex", "base64"]).default("hex"),
            prefix: z.string().optional().describe('Text before the signature ("sha256=", "v0=")'),
            timestamp: z
              .strictObject({
                header: z.string().min(1),
                toleranceSeconds: z.number().int().positive().default(300),
              })
              .optional()
              .describe("Deliveries that carry their time: the header, and how old one may be"),
            signed: z
              .string()
              .min(1)
              .optional()
              .describe("What is signed: {body} and {timestamp} replaced (default: the body)"),
          })
          .describe(
            "An HMAC over the body as received (src/lib/signature.ts), keyed by the secret",
          ),
      ])
      .default({ kind: "bearer" }),
  })
  .describe(
    "The vendor POSTs to /v1/ingest/<source id> (source field ingestTokenEnv): one JSON event, a JSON array, NDJSON, or an envelope with one array; gzip or not",
  );

const framing = z.enum(["ndjson", "array", "document", "csv"]);

const files = z
  .strictObject({
    framings: z
      .array(framing)
      .min(1)
      .default(["ndjson", "array", "document", "csv"])
      .describe(
        "What the vendor writes (ndjson, array, document: a JSON object with one array, csv), each possibly gzipped. The bucket reader tells them apart by their first bytes; vendor:check replays each fixture file",
      ),
    skip: z
      .strictObject({
        prefixes: z
          .array(z.string().min(1))
          .default([])
          .describe("Object names (after the last /) the vendor writes to test access"),
        keys: z
          .array(z.string().min(1))
          .default([])
          .describe("Regular expressions of whole object keys to leave alone"),
      })
      .default({ prefixes: [], keys: [] })
      .describe("Objects skipped (counted, never read)"),
  })
  .describe(
    "The vendor writes files to a bucket (source fields prefix, s3, gcs or azure): R2 notifications, S3 via SNS/SQS, GCS via Pub/Sub, Azure via Event Grid",
  );

export const manifestSchema = z
  .strictObject({
    $schema: z.string().optional(),
    type: z.string().regex(ident, "must be lowercase letters and digits"),
    name: z.string().min(1).describe("The vendor's name in messages"),
    docs: z.url().describe("The API documentation the manifest follows"),
    config: z.record(z.string().regex(/^[a-z][A-Za-z0-9]*$/), configField).default({}),
    poll: poll.optional(),
    push: push.optional(),
    files: files.optional(),
    map,
    view,
    mock: mock.default({ cursor: "opaque", body: {} }),
  })
  .refine((m) => m.poll || m.push || m.files, {
    message: "needs how events arrive: poll, push or files (or push and files)",
    path: ["poll"],
  })
  .refine((m) => !(m.poll && (m.push || m.files)), {
    message: "a polled vendor is polled only: poll, or push and/or files",
    path: ["poll"],
  });

export type Manifest = z.output<typeof manifestSchema>;
export type ManifestPush = NonNullable<Manifest["push"]>;
export type ManifestFiles = NonNullable<Manifest["files"]>;
export type ManifestPrepare = NonNullable<Manifest["map"]["prepare"]>;
export type ManifestMap = Manifest["map"];
export type ManifestPoll = NonNullable<Manifest["poll"]>;
/** A manifest with a `poll` section. */
export type PolledManifest = Manifest & { poll: ManifestPoll };
export type TimeFormat = z.output<typeof timeFormat>;
