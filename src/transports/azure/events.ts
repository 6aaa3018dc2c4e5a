import { z } from "zod";
import type { AzureConfig } from "../../vendors/fields";
import type { ExternalObject } from "../bucket/messages";
import { unquote } from "../bucket/object-store";

/**
 * Azure Blob Storage events as Event Grid delivers them, in either schema: the Event Grid event
 * schema (learn.microsoft.com/azure/event-grid/event-schema: `eventType`, `subject`, `data`) or
 * CloudEvents 1.0 (`type`, `source`, `subject`, `data`, `specversion`). Pure: what each event
 * asks of a source. The sample events of test/fixtures/azure/ are Microsoft's own.
 */

export const BLOB_CREATED = "Microsoft.Storage.BlobCreated";
export const VALIDATION_EVENT = "Microsoft.EventGrid.SubscriptionValidationEvent";

/** One event, in the fields used here, whichever schema it came in. */
export interface AzureEvent {
  id: string;
  type: string;
  subject: string;
  data: unknown;
}

const eventGridEvent = z.looseObject({
  id: z.string().min(1),
  eventType: z.string().min(1),
  subject: z.string(),
  data: z.unknown(),
});

const cloudEvent = z.looseObject({
  specversion: z.literal("1.0"),
  id: z.string().min(1),
  type: z.string().min(1),
  source: z.string().min(1),
  subject: z.string().default(""),
  data: z.unknown(),
});

/** The event in `value`, or what is wrong with it. */
export function readEvent(value: unknown): AzureEvent | { error: string } {
  const isCloudEvent = typeof value === "object" && value !== null && "specversion" in value;
  if (isCloudEvent) {
    const e = cloudEvent.safeParse(value);
    if (e.success)
      return { id: e.data.id, type: e.data.type, subject: e.data.subject, data: e.data.data };
    return { error: `not a CloudEvents 1.0 event: ${issue(e.error)}` };
  }
  const e = eventGridEvent.safeParse(value);
  if (e.success)
    return { id: e.data.id, type: e.data.eventType, subject: e.data.subject, data: e.data.data };
  return { error: `not an Event Grid event: ${issue(e.error)}` };
}

function issue(error: z.ZodError): string {
  const i = error.issues[0];
  return `${i?.path.join(".") || "event"}: ${i?.message}`;
}

/** A body's events: an array as it is, one object as one event. */
export const eventsIn = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

/** The code of a subscription validation event (Event Grid schema), or null when it is none. */
export function validationCode(events: unknown[]): string | null {
  const [first] = events;
  const e = z
    .looseObject({
      eventType: z.literal(VALIDATION_EVENT),
      data: z.looseObject({ validationCode: z.string().min(1) }),
    })
    .safeParse(first);
  return e.success ? e.data.data.validationCode : null;
}

const SUBJECT = /^\/blobServices\/default\/containers\/([^/]+)\/blobs\/(.+)$/;

const blobData = z.looseObject({
  api: z.string().optional(),
  eTag: z.string().optional(),
  contentLength: z.number().int().nonnegative().optional(),
});

/**
 * What a source does with an event: read the blob it announces (a BlobCreated in its container,
 * its name under the prefix: bucket = container, key = blob name, eTag and size from the data),
 * skip it (another type, container or prefix; a Data Lake `CreateFile`, which creates an empty
 * file whose `FlushWithClose` event follows with the content), or keep it (malformed).
 */
export function objectOf(
  sourceId: string,
  c: AzureConfig,
  e: AzureEvent,
): ExternalObject | "skip" | { error: string } {
  if (e.type !== BLOB_CREATED) return "skip";
  const at = SUBJECT.exec(e.subject);
  if (!at?.[1] || !at[2])
    return {
      error: `subject "${e.subject.slice(0, 200)}" is not /blobServices/default/containers/<container>/blobs/<name>`,
    };
  const data = blobData.safeParse(e.data);
  if (!data.success) return { error: `data of ${BLOB_CREATED}: ${issue(data.error)}` };
  const [container, name] = [at[1], at[2]];
  if (data.data.api === "CreateFile") return "skip";
  if (container !== c.container || !name.startsWith(c.prefix)) return "skip";
  return {
    kind: "auditflare.object",
    sourceId,
    bucket: container,
    key: name,
    eTag: unquote(data.data.eTag),
    size: data.data.contentLength ?? null,
  };
}
