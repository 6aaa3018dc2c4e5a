import { z } from "zod";
import { present as presentRow } from "../catalog";
import { describeError } from "../lib/errors";
import {
  type AlertRow,
  alertEvents,
  claimNotification,
  getAlert,
  presentAlert,
  recordDestination,
  releaseNotification,
  setDelivery,
  unnotifiedAlerts,
} from "../store/alerts";
import { type Delivery, DeliveryError, deliver, loadDestinations } from "./destinations";

/**
 * Alert notifications, through the `auditflare-notifications` queue (retries with backoff, then
 * its dead-letter queue): one message per (alert version, destination). The alerts table is the
 * outbox: what has a version not yet queued is queued after each commit that made alerts, and by
 * the every-minute cron, so a failure between the commit and the queue loses nothing. Each
 * version is claimed before it is queued (and given back if the queue refuses), so concurrent
 * sweeps never queue it twice.
 */

export const notification = z.object({
  kind: z.literal("auditflare.notify"),
  alertId: z.string(),
  version: z.number().int(),
  type: z.enum(["alert.created", "alert.updated"]),
  destination: z.string(),
  /**
   * What is sent, fixed when the version is queued: every attempt sends these bytes under the
   * same webhook-id (Standard Webhooks), whatever the alert became since. Absent only on
   * messages queued before they were carried (then built at delivery).
   */
  body: z.string().optional(),
  slackText: z.string().optional(),
});
type Notification = z.infer<typeof notification>;

function destinationsOf(env: Env, a: AlertRow): string[] {
  const all = loadDestinations(env).map((d) => d.id);
  const wanted = a.destinations ? (JSON.parse(a.destinations) as string[]) : null;
  return wanted ? all.filter((id) => wanted.includes(id)) : all;
}

/** A queue message's limit is 128 KB and a batch's 256 KB: the payload stays well under. */
const MAX_PAYLOAD_BYTES = 96 * 1024;
const MAX_BATCH_BYTES = 200 * 1024;

/** Sends `messages` in batches under the queue's size limit. */
async function sendAll(env: Env, messages: MessageSendRequest<Notification>[]) {
  let batch: MessageSendRequest<Notification>[] = [];
  let size = 0;
  for (const m of messages) {
    const bytes = JSON.stringify(m.body).length + 1024;
    if (batch.length > 0 && (size + bytes > MAX_BATCH_BYTES || batch.length === 100)) {
      await env.NOTIFICATIONS.sendBatch(batch);
      batch = [];
      size = 0;
    }
    batch.push(m);
    size += bytes;
  }
  if (batch.length > 0) await env.NOTIFICATIONS.sendBatch(batch);
}

/** Queues one claimed alert version, one message per destination, its payload fixed now. */
async function queueVersion(env: Env, a: AlertRow): Promise<void> {
  const type = a.notifiedVersion === 0 ? "alert.created" : "alert.updated";
  const destinations = destinationsOf(env, a);
  if (destinations.length === 0) return;
  const { body, slackText } = await payload(env, a, type);
  const base = { kind: "auditflare.notify", alertId: a.id, version: a.version, type } as const;
  await sendAll(
    env,
    destinations.map((destination) => ({
      body: { ...base, destination, body, slackText },
      contentType: "json" as const,
    })),
  );
}

/** Queues what the outbox holds; returns how many alert versions were queued. */
export async function queueAlerts(env: Env): Promise<number> {
  const due = await unnotifiedAlerts(env.DB);
  let queued = 0;
  for (const a of due) {
    if (!(await claimNotification(env.DB, a.id, a.notifiedVersion, a.version))) continue;
    try {
      await queueVersion(env, a);
    } catch (err) {
      await releaseNotification(env.DB, a.id, a.notifiedVersion, a.version);
      throw err;
    }
    queued++;
  }
  return queued;
}

/** The alert's events as sent: the first ones, as many as fit the payload's budget. */
async function eventsOf(env: Env, a: AlertRow) {
  const events = (await alertEvents(env.DB, a)).map(presentRow);
  let bytes = 0;
  const kept = events.filter((e) => {
    bytes += JSON.stringify(e).length;
    return bytes <= MAX_PAYLOAD_BYTES - 8 * 1024;
  });
  return kept;
}

/** The alert as sent: its fields, and the rows of its first events (`data.eventIds` names all). */
async function payload(env: Env, a: AlertRow, type: Notification["type"]) {
  const events = await eventsOf(env, a);
  const data = { ...presentAlert(a), events };

  const first = events[0];
  const actor = first ? Object.values(first.actor)[0] : undefined;
  const where = first?.srcIP
    ? ` from ${first.srcIP}${first.srcASOrganization ? ` (${first.srcASOrganization}, ${first.srcASCountryCode ?? "?"})` : ""}`
    : "";
  const base = (env as { PUBLIC_URL?: string }).PUBLIC_URL?.replace(/\/+$/, "");
  const link = base ? `<${base}/#alerts|open in the explorer>` : `alert ${a.id}`;
  const slackText = `*[${a.level}] ${a.title}* (${type === "alert.created" ? "new" : `×${a.count}`})\nsource ${a.sourceID ?? "?"}, actor ${actor ?? "?"}${where}\n${link}`;
  return { body: JSON.stringify({ type, timestamp: new Date().toISOString(), data }), slackText };
}

/** What a message sends: carried by it, or (a message queued before that) built now. */
async function contentOf(env: Env, n: Notification) {
  if (n.body !== undefined && n.slackText !== undefined)
    return { body: n.body, slackText: n.slackText };
  const a = await getAlert(env.DB, n.alertId);
  return a ? payload(env, a, n.type) : null;
}

const reasonOf = (err: unknown) => (err instanceof DeliveryError ? err.reason : describeError(err));

/** One notification message: sent to its destination, or thrown for the queue to retry. */
export async function handleNotification(env: Env, n: Notification): Promise<void> {
  const d = loadDestinations(env).find((x) => x.id === n.destination);
  if (!d) return;
  const content = await contentOf(env, n);
  if (!content) return;
  const delivery: Delivery = { id: `msg_${n.alertId}_${n.version}`, ...content };
  try {
    await deliver(env, d, delivery);
  } catch (err) {
    await recordDestination(env.DB, d.id, { ok: false, error: reasonOf(err) }, Date.now());
    throw err;
  }
  await recordDestination(env.DB, d.id, { ok: true }, Date.now());
  await setDelivery(env.DB, n.alertId, `delivered to ${d.id}`);
}

/** One message of a batch, acknowledged or retried on its own; never throws. */
async function handleMessage(env: Env, m: Message<unknown>, dead: boolean): Promise<void> {
  const n = notification.safeParse(m.body);
  if (!n.success) {
    m.ack();
    return;
  }
  try {
    if (dead) {
      const last = (await getAlert(env.DB, n.data.alertId))?.delivery ?? "";
      await setDelivery(env.DB, n.data.alertId, `failed to ${n.data.destination}: ${last}`);
    } else await handleNotification(env, n.data);
    m.ack();
  } catch (err) {
    const error = `attempt ${m.attempts} to ${n.data.destination}: ${reasonOf(err)}`;
    await setDelivery(env.DB, n.data.alertId, error).catch(() => {});
    m.retry({ delaySeconds: Math.min(600, 5 * 2 ** Math.max(0, m.attempts - 1)) });
  }
}

/**
 * The notifications queue and its dead-letter queue. The messages of a batch are delivered
 * concurrently, each acknowledged or retried on its own, so a destination that hangs (until its
 * deadline) holds back no other. A failed send retries with backoff (the same bytes under the
 * same webhook-id every time); one that exhausted its retries marks the alert's `delivery`.
 */
export async function handleNotificationQueue(batch: MessageBatch<unknown>, env: Env) {
  const dead = batch.queue.endsWith("-dlq");
  const results = await Promise.allSettled(batch.messages.map((m) => handleMessage(env, m, dead)));
  for (const r of results) if (r.status === "rejected") console.error("notification:", r.reason);
}
