import { HTTPException } from "hono/http-exception";
import { ConfigError } from "./config";
import { AppError, describeError, errorBody } from "./lib/errors";
import { newRouter, securitySchemes, TAGS } from "./lib/openapi";
import { mcpRoutes } from "./mcp/route";
import { alertsRoutes } from "./routes/alerts";
import { archiveRoutes } from "./routes/archive";
import { archiveUrlRoutes } from "./routes/archive-urls";
import { exploreRoutes } from "./routes/explore";
import { explorer } from "./routes/explorer";
import { logsRoutes } from "./routes/logs";
import { pipelinesRoutes } from "./routes/pipelines";
import { quarantineRoutes } from "./routes/quarantine";
import { rulesRoutes } from "./routes/rules";
import { ruleTestRoutes } from "./routes/rules-test";
import { savedRoutes } from "./routes/saved";
import { sourcesRoutes } from "./routes/sources";
import { sqlRoutes } from "./routes/sql";
import { azureRoutes } from "./transports/azure/route";
import { filesRoutes } from "./transports/bucket/upload-route";
import { gcsRoutes } from "./transports/gcs/route";
import { pushRoutes } from "./transports/push/route";
import { snsRoutes } from "./transports/sns/route";
import { portsOf } from "./wiring";

export const app = newRouter();

app.use(async (c, next) => {
  c.set("requestId", c.req.header("cf-ray") ?? crypto.randomUUID());
  await next();
});

// The API's answers are a reader's data: no cache keeps them, unless a route says otherwise
// (an archive object's signed URL: private, a minute).
app.use("/v1/*", async (c, next) => {
  await next();
  if (!c.res.headers.has("cache-control")) c.res.headers.set("cache-control", "no-store");
});

app.get("/healthz", (c) => c.json({ ok: true }));

app.route("/", explorer);
app.route("/", pushRoutes(portsOf));
app.route("/", snsRoutes(portsOf));
app.route("/", gcsRoutes(portsOf));
app.route("/", azureRoutes(portsOf));
app.route("/", exploreRoutes);
app.route("/", logsRoutes);
app.route("/", archiveUrlRoutes);
app.route("/", sqlRoutes);
app.route("/", sourcesRoutes);
app.route("/", filesRoutes);
app.route("/", quarantineRoutes);
app.route("/", ruleTestRoutes);
app.route("/", rulesRoutes);
app.route("/", pipelinesRoutes);
app.route("/", alertsRoutes);
app.route("/", savedRoutes);
app.route("/", archiveRoutes);
// The MCP server and its OAuth endpoints (docs/mcp.md): outside the OpenAPI document.
app.route("/", mcpRoutes);

for (const [name, scheme] of Object.entries(securitySchemes)) {
  app.openAPIRegistry.registerComponent("securitySchemes", name, scheme);
}
app.doc31("/v1/openapi.json", {
  openapi: "3.1.0",
  info: {
    title: "auditflare",
    version: "1.0.0",
    description: "Collects SaaS audit logs into one schema on Cloudflare (D1, R2, Queues).",
  },
  servers: [
    { url: "http://127.0.0.1:8787", description: "npm start (wrangler dev)" },
    {
      url: "https://auditflare.{subdomain}.workers.dev",
      description: "your deployment (npm run deploy) on workers.dev",
      variables: {
        subdomain: {
          default: "your-subdomain",
          description: "your account's workers.dev subdomain",
        },
      },
    },
  ],
  tags: TAGS,
});

app.notFound((c) =>
  c.json(errorBody("not_found", `no route for ${c.req.method} ${c.req.path}`), 404),
);

app.onError((err, c) => {
  const requestId = c.get("requestId");
  if (err instanceof AppError) return c.json(errorBody(err.code, err.message), err.status);
  if (err instanceof ConfigError) {
    console.error(`[${requestId}] configuration error: ${err.message}`);
    return c.json(errorBody("config_invalid", err.message, requestId), 500);
  }
  if (err instanceof HTTPException) {
    return c.json(errorBody("http_error", err.message || "request rejected"), err.status);
  }
  console.error(
    `[${requestId}] unhandled error: ${describeError(err)}`,
    err instanceof Error ? err.stack : "",
  );
  return c.json(
    errorBody("internal_error", "internal error; see the logs under this requestId", requestId),
    500,
  );
});
