import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { AppError, errorBody } from "./errors";

export type AppEnv = {
  Bindings: Env;
  /** `auditOutcome`: what a write did, recorded in its self-audit event's tags (routes/audit.ts). */
  Variables: { requestId: string; auditOutcome?: Record<string, string> };
};

/** An operation of the API: its method, its path (OpenAPI `{param}` form) and its operationId. */
interface Operation {
  method: string;
  operationId: string;
  pattern: RegExp;
  /** Literal segments count: `/v1/logs/histogram` wins over `/v1/logs/{id}`. */
  params: number;
}

/** Every operation any router declared (filled as the route modules load). */
const operations: Operation[] = [];

function register(route: { method: string; path: string; operationId?: string }): void {
  if (!route.operationId) return;
  const source = route.path
    .split("/")
    .map((seg) => (/^\{[^}]+\}$/.test(seg) ? "[^/]+" : seg.replace(/[.*+?^$()|[\]\\]/g, "\\$&")))
    .join("/");
  operations.push({
    method: route.method.toUpperCase(),
    operationId: route.operationId,
    pattern: new RegExp(`^${source}$`),
    params: (route.path.match(/\{/g) ?? []).length,
  });
}

/** The operationId of the operation a request is for, or undefined when no route declares it. */
export function operationOf(method: string, path: string): string | undefined {
  let best: Operation | undefined;
  for (const op of operations) {
    if (op.method !== method || !op.pattern.test(path)) continue;
    if (!best || op.params < best.params) best = op;
  }
  return best?.operationId;
}

/**
 * A router whose zod validation failures answer 400 in the contract's error shape, and whose
 * routes' operationIds are known to operationOf (the self-audit names a request by it).
 */
export function newRouter(): OpenAPIHono<AppEnv> {
  const router = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (result.success) return;
      const issue = result.error.issues[0];
      const param = issue?.path.length ? issue.path.map(String).join(".") : result.target;
      return c.json(
        errorBody(
          "invalid_parameter",
          `${result.target} parameter "${param}": ${issue?.message ?? "invalid"}`,
        ),
        400,
      );
    },
  });
  const declare = router.openapi.bind(router);
  router.openapi = ((route, handler, hook) => {
    register(route);
    return declare(route, handler, hook);
  }) as typeof router.openapi;
  return router;
}

const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "invalid_parameter" }),
      message: z.string(),
      requestId: z.string().optional(),
    }),
  })
  .openapi("Error");

export const errorResponse = (description: string) => ({
  content: { "application/json": { schema: ErrorSchema } },
  description,
});

/**
 * The security schemes of GET /v1/openapi.json (components.securitySchemes), and what each route
 * requires. SNS deliveries carry no token: they are signed (see the route's `security: []`).
 */
export const securitySchemes = {
  bearerAuth: {
    type: "http",
    scheme: "bearer",
    description:
      "The query token (QUERY_API_TOKEN) for reads; the admin token (ADMIN_API_TOKEN) also reads.",
  },
  adminAuth: {
    type: "http",
    scheme: "bearer",
    description: "The admin token (ADMIN_API_TOKEN): writes that are not vendor deliveries.",
  },
  cfAccess: {
    type: "apiKey",
    in: "header",
    name: "Cf-Access-Jwt-Assertion",
    description:
      "People behind Cloudflare Access (when ACCESS_TEAM_DOMAIN and ACCESS_AUD are set): the JWT Access adds to each request it lets through, used when no Authorization header is sent. Identities in ACCESS_ADMINS may write; every other identity only reads.",
  },
  ingestToken: {
    type: "http",
    scheme: "bearer",
    description:
      "A push source's ingest token: the secret named by the source's ingestTokenEnv (one per source).",
  },
  pubsubPushToken: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description:
      "The Google-signed OIDC token of an authenticated Pub/Sub push subscription (RS256 against Google's JWKS; aud = gcs.pushAudience, email = gcs.pushServiceAccount, email_verified). Google sends it; it is not a token of this API.",
  },
  eventGridSecret: {
    type: "http",
    scheme: "bearer",
    description:
      "An Azure source's Event Grid delivery secret: the secret named by azure.eventGridSecretEnv, which the event subscription sends as a delivery property (a static, secret `Authorization: Bearer <secret>` header).",
  },
} as const;

/** Alternatives: any one of them admits a request. */
type Security = Array<Record<string, string[]>>;
/** Reads: the query token, the admin token, or any Cloudflare Access identity. */
export const bearerSecurity: Security = [{ bearerAuth: [] }, { cfAccess: [] }];
/** Writes that are not vendor deliveries: the admin token, or an Access admin. */
export const adminSecurity: Security = [{ adminAuth: [] }, { cfAccess: [] }];
/** POST /v1/ingest/{sourceId}: the source's own ingest token. */
export const ingestSecurity: Security = [{ ingestToken: [] }];
/** POST /v1/gcs/{sourceId}: Google's push token. */
export const pubsubSecurity: Security = [{ pubsubPushToken: [] }];
/** POST /v1/azure/{sourceId}: the source's Event Grid delivery secret. */
export const eventGridSecurity: Security = [{ eventGridSecret: [] }];

/** The operations' tags, declared at the top level of the document. */
export const TAGS = [
  { name: "ingest", description: "Events and files in: pushed events, uploaded files." },
  { name: "query", description: "Stored events: search, export (NDJSON) and one by id." },
  { name: "sources", description: "Configured sources, their counters, health and files." },
  {
    name: "quarantine",
    description: "What could not be stored normally, and replaying it after a fix.",
  },
  {
    name: "detections",
    description: "Sigma detection rules: the bundled starter pack and rules added at runtime.",
  },
  { name: "archive", description: "The R2 archive of stored events in Parquet (the cold tier)." },
  {
    name: "vendors",
    description:
      "Endpoints that vendors' clouds call: Amazon SNS (S3 bucket notifications), Google Pub/Sub push (GCS notifications) and Azure Event Grid (Blob Storage events). Authenticated by the vendor's signature or token, not by this API's tokens.",
  },
];

/** Unknown query parameters are a 400 naming the first one, on every route that takes a query. */
export function rejectUnknownParams(c: Context<AppEnv>, known: ReadonlySet<string>): void {
  for (const key of Object.keys(c.req.queries())) {
    if (!known.has(key)) {
      throw new AppError("unknown_parameter", `unknown query parameter "${key}"`);
    }
  }
}
