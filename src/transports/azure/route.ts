import { createRoute, z } from "@hono/zod-openapi";
import { routeSource, type SourceConfig } from "../../config";
import { requireBearer } from "../../lib/auth";
import { AppError } from "../../lib/errors";
import { errorResponse, eventGridSecurity, newRouter } from "../../lib/openapi";
import { readSecret } from "../../lib/secrets";
import type { PortsOf } from "../../ports";
import { readBodyText } from "../read-body";
import { type AzureSource, deliverEvents } from "./deliver";
import { eventsIn, validationCode } from "./events";

/**
 * Azure Blob Storage via an Event Grid webhook (learn.microsoft.com/azure/event-grid/webhook-event-delivery).
 * Every POST carries the delivery secret (the subscription's delivery property `Authorization:
 * Bearer <secret>`, learn.microsoft.com/azure/event-grid/delivery-properties), checked in
 * constant time before the body is read; Microsoft's page says those headers go with the
 * validation request too, so the handshake is no exception (docs/sources/azure.md). Event Grid
 * schema: a SubscriptionValidationEvent is answered with its code, a Notification's events are
 * handled by deliverEvents. CloudEvents 1.0: the OPTIONS abuse-protection handshake, then
 * single events or batches.
 */

const MAX_BODY_BYTES = 1024 * 1024;

const params = z.object({ sourceId: z.string() });

const Delivered = z
  .object({
    queued: z.number().int().openapi({ description: "blobs queued for reading" }),
    skipped: z
      .number()
      .int()
      .openapi({ description: "events of other types, containers or prefixes" }),
    duplicates: z.number().int().openapi({ description: "events already handled (same id)" }),
    quarantined: z.number().int().openapi({ description: "malformed events kept aside" }),
  })
  .openapi("AzureDelivered");

const Validation = z
  .object({ validationResponse: z.string() })
  .openapi("EventGridValidationResponse");

const post = createRoute({
  method: "post",
  path: "/v1/azure/{sourceId}",
  operationId: "azureEventGrid",
  tags: ["vendors", "ingest"],
  summary: "Event Grid webhook of an Azure Blob Storage source",
  description:
    "Target of an Event Grid event subscription (Event Grid or CloudEvents 1.0 schema) on the storage account, with the delivery secret as a static Authorization header. A SubscriptionValidationEvent is answered with its validationCode; each Microsoft.Storage.BlobCreated in the source's container and prefix is queued for reading before the 200; other events are counted as skipped; an event id already handled does nothing.",
  security: eventGridSecurity,
  request: {
    params,
    // Documentation only (a plain schema): the secret is checked before the body is read.
    body: {
      required: true,
      description: "Events as Event Grid sends them (an array; CloudEvents: one event or a batch).",
      content: {
        "application/json": { schema: { $ref: "#/components/schemas/AzureEvents" } },
        "application/cloudevents+json": { schema: { type: "object" } },
        "application/cloudevents-batch+json": {
          schema: { type: "array", items: { type: "object" } },
        },
      },
    },
  },
  responses: {
    200: {
      content: { "application/json": { schema: z.union([Validation, Delivered]) } },
      description: "the validation code, or what was done with the events",
    },
    400: errorResponse("the body is not JSON events"),
    401: errorResponse("missing or wrong delivery secret"),
    404: errorResponse("unknown source, or not an Azure source with eventGridSecretEnv"),
    413: errorResponse("body too large"),
    503: errorResponse("the secret named by eventGridSecretEnv is not set"),
  },
});

const handshake = createRoute({
  method: "options",
  path: "/v1/azure/{sourceId}",
  operationId: "azureWebhookHandshake",
  tags: ["vendors"],
  summary: "CloudEvents 1.0 abuse-protection handshake of an Azure source's webhook",
  description:
    "Event Grid (CloudEvents schema) asks for permission with WebHook-Request-Origin; the answer grants it for that origin at any rate. The delivery secret is not required (Microsoft's docs don't say this request carries delivery properties); a wrong one is refused.",
  security: [],
  request: { params, headers: z.object({ "webhook-request-origin": z.string().min(1) }) },
  responses: {
    200: {
      description: "permission granted",
      headers: {
        "WebHook-Allowed-Origin": {
          schema: { type: "string" },
          description: "the origin asked for",
        },
        "WebHook-Allowed-Rate": { schema: { type: "string" }, description: "* (any rate)" },
      },
    },
    400: errorResponse("no WebHook-Request-Origin header"),
    401: errorResponse("a wrong delivery secret"),
    404: errorResponse("unknown source, or not an Azure source with eventGridSecretEnv"),
  },
});

const takesEventGrid = (
  s: SourceConfig,
): s is AzureSource & { azure: { eventGridSecretEnv: string } } =>
  "azure" in s && !!s.azure?.eventGridSecretEnv;
const azureSource = (env: Env, id: string) =>
  routeSource(
    env,
    id,
    takesEventGrid,
    "not_a_bucket_source",
    "takes no Event Grid webhook (no azure.eventGridSecretEnv)",
  );

/** The delivery secret, in constant time: 401 when missing or wrong (`optional`: when wrong). */
async function admit(
  env: Env,
  source: ReturnType<typeof azureSource>,
  header: string | undefined,
  optional = false,
) {
  const name = source.azure.eventGridSecretEnv;
  const expected = readSecret(env, name);
  if (!expected)
    throw new AppError(
      "event_grid_secret_not_configured",
      `source "${source.id}" has no Event Grid secret: set the secret ${name}`,
    );
  if (optional && !header) return;
  await requireBearer(header, expected, `Event Grid deliveries to source "${source.id}"`);
}

/** The routes, reaching the state through `portsOf` (the entry wiring's, src/app.ts). */
export function azureRoutes(portsOf: PortsOf) {
  const routes = newRouter();
  routes.openAPIRegistry.registerComponent("schemas", "AzureEvents", {
    type: "array",
    description:
      "Event Grid schema events: a Microsoft.EventGrid.SubscriptionValidationEvent (data.validationCode), or Microsoft.Storage.BlobCreated events (subject /blobServices/default/containers/<c>/blobs/<name>; data.eTag, data.contentLength, data.url, data.api).",
    items: {
      type: "object",
      required: ["id", "eventType", "subject"],
      properties: {
        id: { type: "string" },
        eventType: { type: "string", description: "e.g. Microsoft.Storage.BlobCreated" },
        subject: { type: "string" },
        topic: { type: "string" },
        eventTime: { type: "string" },
        data: { type: "object" },
        dataVersion: { type: "string" },
        metadataVersion: { type: "string" },
      },
    },
  });

  routes.openapi(handshake, async (c) => {
    const source = azureSource(c.env, c.req.param("sourceId"));
    await admit(c.env, source, c.req.header("authorization"), true);
    c.header("WebHook-Allowed-Origin", c.req.valid("header")["webhook-request-origin"]);
    c.header("WebHook-Allowed-Rate", "*");
    c.header("Allow", "POST, OPTIONS");
    return c.body(null, 200);
  });

  routes.openapi(post, async (c) => {
    const ports = portsOf(c.env);
    const source = azureSource(c.env, c.req.param("sourceId"));
    await admit(c.env, source, c.req.header("authorization"));
    const text = await readBodyText(c.req.raw, MAX_BODY_BYTES);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      const error =
        "the body is not JSON (Event Grid sends an array of events, CloudEvents an event or a batch)";
      await ports.quarantine.keepWhole(
        {
          sourceID: source.id,
          sourceType: source.type,
          stage: "route",
          errorCode: "invalid_json",
          error,
          location: "eventgrid",
          raw: text,
        },
        Date.now(),
      );
      throw new AppError("invalid_push_message", error);
    }
    const events = eventsIn(value);
    const code = validationCode(events);
    if (code !== null) return c.json({ validationResponse: code }, 200);
    if (c.req.header("aeg-event-type") === "SubscriptionValidation")
      throw new AppError(
        "invalid_push_message",
        "a SubscriptionValidation request without a validationCode",
      );
    return c.json(await deliverEvents(c.env, ports, source, events, "eventgrid", Date.now()), 200);
  });
  return routes;
}
