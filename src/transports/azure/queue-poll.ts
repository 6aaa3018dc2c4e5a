import { loadSources } from "../../config";
import { LIMITS, type Limits } from "../../lib/outbound";
import { decodeUtf8 } from "../../parse/bytes";
import type { Ports } from "../../ports";
import type { AzureConfig } from "../../vendors/fields";
import { type EachSourceOptions, eachSource, whatFailed } from "../each-source";
import { type AzureSource, deliverEvents } from "./deliver";
import { queueEndpoint } from "./endpoints";
import { eventsIn, readEvent } from "./events";
import { parseQueueMessages, type QueueMessage } from "./queue-xml";
import { azureFetch, errorCode } from "./rest";

/**
 * Storage Queue pull, for Azure sources whose Event Grid subscription writes to a queue
 * (`azure.queueName`; learn.microsoft.com/azure/event-grid/handler-storage-queues): every minute
 * the cron takes up to 32 messages at a time (Get Messages, hidden for VISIBILITY_SECONDS), hands
 * each one's events to deliverEvents, and deletes the message (its pop receipt) only once its
 * objects are queued: a failure leaves it to reappear and be taken again. A message that is not
 * an event is kept in quarantine once (by its id) and deleted; one holding bad events among good
 * ones has the bad ones kept (each once) and the good ones' objects queued.
 */

type QueueSource = AzureSource & { azure: AzureConfig & { queueName: string } };

/** How long a taken message stays hidden: time enough for its events to be queued. */
const VISIBILITY_SECONDS = 300;
/** Get Messages calls per source and cron run, at most (32 messages each). */
const MAX_RECEIVES = 10;

/** The events in a message's text: JSON, or base64 of JSON (how Event Grid writes them). */
export function messageEvents(text: string): unknown[] | { error: string } {
  let json = text.trim();
  if (!json.startsWith("{") && !json.startsWith("[")) {
    try {
      const bytes = Uint8Array.from(atob(json), (c) => c.charCodeAt(0));
      json = decodeUtf8(bytes);
    } catch {
      return { error: "the message is neither JSON nor base64 of JSON" };
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { error: "the message is not JSON (nor base64 of JSON)" };
  }
  const events = eventsIn(value);
  if (events.length === 0) return { error: "the message holds no event" };
  // A message of which no element is an event is kept whole (by its id); one holding some
  // events goes to deliverEvents, which keeps each bad one aside and queues the others.
  const wrong = events.map(readEvent).filter((e) => "error" in e);
  const first = wrong[0];
  if (wrong.length === events.length && first && "error" in first)
    return { error: `the message is not an event: ${first.error}` };
  return events;
}

const queueUrl = (c: AzureConfig & { queueName: string }) => `${queueEndpoint(c)}/${c.queueName}`;

/** Takes up to 32 messages (the Queue service's most per call). */
async function receive(
  env: Env,
  source: QueueSource,
  limits: Limits,
  signal: AbortSignal,
): Promise<QueueMessage[]> {
  const url = `${queueUrl(source.azure)}/messages?numofmessages=32&visibilitytimeout=${VISIBILITY_SECONDS}`;
  const res = await azureFetch(env, source.azure, { method: "GET", url, signal }, limits);
  if (res.status !== 200)
    throw new Error(
      `Get Messages on ${queueUrl(source.azure)}: HTTP ${res.status} ${errorCode(res)}`.trim(),
    );
  return parseQueueMessages(res.text());
}

/** Deletes a handled message; one already gone (404) is fine: another run handled it. */
async function remove(env: Env, source: QueueSource, m: QueueMessage): Promise<void> {
  const url = `${queueUrl(source.azure)}/messages/${encodeURIComponent(m.messageId)}?popreceipt=${encodeURIComponent(m.popReceipt)}`;
  const res = await azureFetch(env, source.azure, { method: "DELETE", url });
  if (res.status !== 204 && res.status !== 200 && res.status !== 404)
    throw new Error(`Delete Message ${m.messageId}: HTTP ${res.status} ${errorCode(res)}`.trim());
}

async function handle(env: Env, ports: Ports, source: QueueSource, m: QueueMessage, now: number) {
  const where = `queue ${source.azure.queueName} message ${m.messageId}`;
  const events = messageEvents(m.messageText);
  if ("error" in events) {
    await ports.quarantine.keepWhole(
      {
        sourceID: source.id,
        sourceType: source.type,
        stage: "route",
        errorCode: "invalid_notification",
        error: events.error,
        location: where,
        raw: m.messageText,
        identity: `${source.id} azure-queue ${source.azure.queueName} ${m.messageId}`,
      },
      now,
    );
    return;
  }
  await deliverEvents(env, ports, source, events, where, now);
}

/**
 * One source's queue: take, handle each message alone, delete what was handled. Once `signal`
 * aborts (the source's deadline) its calls are aborted and it starts nothing new.
 */
async function pollQueue(
  env: Env,
  ports: Ports,
  source: QueueSource,
  now: number,
  limits: Limits,
  signal: AbortSignal,
) {
  let handled = 0;
  for (let i = 0; i < MAX_RECEIVES && !signal.aborted; i++) {
    const messages = await receive(env, source, limits, signal);
    for (const m of messages) {
      if (signal.aborted) break;
      try {
        await handle(env, ports, source, m, now);
        // not the source's signal: a message handled is deleted (within the call's own deadline)
        await remove(env, source, m);
        handled++;
      } catch (err) {
        // Not deleted: the queue shows it again after its visibility timeout.
        const error = `Storage Queue message ${m.messageId}: ${whatFailed(err)}`;
        await ports.health.recordError(source.id, error, now);
      }
    }
    if (messages.length < 32) break;
  }
  return handled;
}

/**
 * Every Azure source with a queue, each on its own: pulled concurrently (a few at once), each
 * within its own deadline (src/transports/each-source.ts), so a slow or failing queue holds back
 * no other.
 */
export async function pollAzureQueues(
  env: Env,
  ports: Ports,
  now = Date.now(),
  limits: Limits = LIMITS.api,
  opts: EachSourceOptions = {},
): Promise<Record<string, number | string>> {
  const sources = loadSources(env).filter(
    (s): s is QueueSource => "azure" in s && !!s.azure?.queueName,
  );
  return eachSource(
    sources,
    ports,
    now,
    (source, signal) => pollQueue(env, ports, source, now, limits, signal),
    opts,
  );
}
