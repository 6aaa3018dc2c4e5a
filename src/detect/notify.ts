import { z } from "zod";
import { describeError } from "../lib/errors";
import {
  type AlertRow,
  claimNotification,
  getAlert,
  presentAlert,
  recordDestination,
  releaseNotification,
  setDelivery,
  unnotifiedAlerts,
} from "../store/alerts";
import { presentRow } from "../store/present";
import type { LogRow } from "../store/schema";
import { type Delivery, deliver, loadDestinations } from "./destinations";

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
});
type Notification = z.infer<typeof notification>;

function destinationsOf(env: Env, a: AlertRow): string[] {
  const all = loadDestinations(env).map((d) => d.id);
  const wanted = a.destinations ? (JSON.parse(a.destinations) as string[]) : null;
  return wanted ? all.filter((id) => wanted.includes(id)) : all;
}

/** Queues what the outbox holds; returns how many alert versions were queued. */
export async function queueAlerts(env: Env): Promise<number> {
  const due = await unnotifiedAlerts(env.DB);
  let queued = 0;
  for (const a of due) {
    if (!(await claimNotification(env.DB, a.id, a.notifiedVersion, a.version))) continue;
    const type = a.notifiedVersion === 0 ? "alert.created" : "alert.updated";
    const messages = destinationsOf(env, a).map((destination) => ({
      body: { kind: "auditflare.notify", alertId: a.id, version: a.version, type, destination },
      contentType: "json" as const,
    }));
    try {
      if (messages.length > 0) await env.NOTIFICATIONS.sendBatch(messages);
    } catch (err) {
      await releaseNotification(env.DB, a.id, a.notifiedVersion, a.version);
      throw err;
    }
    queued++;
  }
  return queued;
}

/** The alert as sent: its fields, and the rows of its first events. */
async function payload(env: Env, a: AlertRow, type: Notification["type"]) {
  const ids = JSON.parse(a.eventIds) as string[];
  const { results } = await env.DB.prepare(
    `SELECT * FROM events WHERE id IN (SELECT value FROM json_each(?1))`,
  )
    .bind(JSON.stringify(ids))
    .all<LogRow>();
  const events = results.map(presentRow);
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

/** One notification message: sent to its destination, or thrown for the queue to retry. */
export async function handleNotification(env: Env, n: Notification): Promise<void> {
  const a = await getAlert(env.DB, n.alertId);
  if (!a) return;
  const d = loadDestinations(env).find((x) => x.id === n.destination);
  if (!d) return;
  const { body, slackText } = await payload(env, a, n.type);
  const delivery: Delivery = { id: `msg_${a.id}_${n.version}`, body, slackText };
  try {
    await deliver(env, d, delivery);
  } catch (err) {
    await recordDestination(env.DB, d.id, { ok: false, error: describeError(err) }, Date.now());
    throw err;
  }
  await recordDestination(env.DB, d.id, { ok: true }, Date.now());
  await setDelivery(env.DB, a.id, `delivered to ${d.id}`);
}

/**
 * The notifications queue and its dead-letter queue. A failed send retries with backoff (the
 * same webhook-id every time); one that exhausted its retries marks the alert's `delivery`.
 */
export async function handleNotificationQueue(batch: MessageBatch<unknown>, env: Env) {
  const dead = batch.queue.endsWith("-dlq");
  for (const m of batch.messages) {
    const n = notification.safeParse(m.body);
    if (!n.success) {
      m.ack();
      continue;
    }
    try {
      if (dead) {
        const last = (await getAlert(env.DB, n.data.alertId))?.delivery ?? "";
        await setDelivery(env.DB, n.data.alertId, `failed to ${n.data.destination}: ${last}`);
      } else await handleNotification(env, n.data);
      m.ack();
    } catch (err) {
      const error = `attempt ${m.attempts} to ${n.data.destination}: ${describeError(err)}`;
      await setDelivery(env.DB, n.data.alertId, error).catch(() => {});
      m.retry({ delaySeconds: Math.min(600, 5 * 2 ** Math.max(0, m.attempts - 1)) });
    }
  }
}
