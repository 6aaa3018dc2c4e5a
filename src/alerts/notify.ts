import { z } from "zod";
import { viewOf } from "../catalog";
import { describeError } from "../lib/errors";
import { utf8Length } from "../lib/utf8";
import {
  type AlertRow,
  alertEventsRead,
  claimDue,
  getAlert,
  markAllNotified,
  markNotified,
  presentAlert,
  recordDelivered,
  recordDestination,
  releaseNotifications,
  setDelivery,
} from "../store/alerts";
import { presentedJson } from "../store/present";
import { type Delivery, DeliveryError, deliver, loadDestinations } from "./destinations";
import { eventJsonCache } from "./event-json";

/**
 * Alert notifications, through the `auditflare-notifications` queue (retries with backoff, then
 * its dead-letter queue): one message per (alert version queued, destination). The alerts table
 * is the outbox: what has a version not yet queued is queued after each commit that made alerts
 * (a push's after its response, in `ctx.waitUntil`), and by the every-minute cron (an alert's
 * update within a minute of its last notification waits for the minute, and the versions raised
 * meanwhile go as one: src/store/alerts.ts UPDATE_EVERY_MS), so a failure between the commit and
 * the queue, or queueing that never ran, loses nothing. Each version is claimed before it is
 * queued (and given back if the queue refuses), so concurrent sweeps never queue it twice.
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
/**
 * The most one message may be, in UTF-8 bytes of its JSON (the body escaped a second time):
 * under the queue's 128 KB, with room for its own envelope. A message the queue refuses would
 * be refused on every sweep, and hold the outbox behind it.
 */
const MAX_MESSAGE_BYTES = 120 * 1024;
/** What is kept of a dedup key, or a title in Slack, too long for a message. */
const CUT_CHARS = 1000;

type Outgoing = MessageSendRequest<Notification>;

/**
 * Sends each alert's messages, in batches under the queue's limits (an alert's messages in one
 * batch when they fit). When a batch is refused, its messages and the rest go one by one; the
 * alerts with a message refused are returned with the error (their claims are given back).
 */
async function sendAll(
  env: Env,
  perAlert: Array<{ alert: AlertRow; messages: Outgoing[] }>,
): Promise<{ unsent: AlertRow[]; error?: unknown }> {
  let batch: Outgoing[] = [];
  let inBatch: AlertRow[] = [];
  let size = 0;
  let done = 0;
  const flush = async () => {
    if (batch.length > 0) await env.NOTIFICATIONS.sendBatch(batch);
    done += inBatch.length;
    batch = [];
    inBatch = [];
    size = 0;
  };
  try {
    for (const { alert, messages } of perAlert) {
      for (const m of messages) {
        const bytes = JSON.stringify(m.body).length + 1024;
        if (batch.length > 0 && (size + bytes > MAX_BATCH_BYTES || batch.length === 100))
          await flush();
        batch.push(m);
        size += bytes;
      }
      inBatch.push(alert);
    }
    await flush();
    return { unsent: [] };
  } catch (error) {
    // The batch was refused: the messages not sent yet go one by one, so one the queue refuses
    // (whatever it holds) never holds the others back; an alert with one refused is given back
    // (its other destinations get it again then, under the same webhook-id).
    const unsent: AlertRow[] = [];
    for (const { alert, messages } of perAlert.slice(done)) {
      let refused = false;
      for (const m of messages) {
        try {
          await env.NOTIFICATIONS.send(m.body, { contentType: m.contentType });
        } catch {
          refused = true;
        }
      }
      if (refused) unsent.push(alert);
    }
    return unsent.length > 0 ? { unsent, error } : { unsent };
  }
}

/** One claimed alert version's messages, one per destination, its payload fixed now. */
function messagesOf(env: Env, a: AlertRow, events: Presented, destinations: string[]): Outgoing[] {
  const type = a.notifiedVersion === 0 ? "alert.created" : "alert.updated";
  const base = { kind: "auditflare.notify", alertId: a.id, version: a.version, type } as const;
  const longest = destinations.reduce((m, d) => (d.length > m.length ? d : m), "");
  const { body, slackText } = fitted(
    (content) => utf8Length(JSON.stringify({ ...base, destination: longest, ...content })),
    env,
    a,
    type,
    events,
  );
  return destinations.map((destination) => ({
    body: { ...base, destination, body, slackText },
    contentType: "json" as const,
  }));
}

/**
 * The payload, within MAX_MESSAGE_BYTES as `size` measures its message: with the first events
 * that fit (eventsOf counts characters, not bytes), else with none, else with the alert's
 * context left out (a note says so) and its dedup key cut: a rule can put any row in an alert's
 * context. GET /v1/alerts/{id} has the whole alert and `data.eventIds` names every event.
 */
function fitted(
  size: (content: { body: string; slackText: string }) => number,
  env: Env,
  a: AlertRow,
  type: Notification["type"],
  events: Presented,
) {
  const whole = payload(env, a, type, events);
  if (size(whole) <= MAX_MESSAGE_BYTES) return whole;
  const none: Presented = () => undefined;
  const bare = payload(env, a, type, none);
  if (size(bare) <= MAX_MESSAGE_BYTES) return bare;
  const cut = (s: string) => (s.length > CUT_CHARS ? `${s.slice(0, CUT_CHARS)}…` : s);
  const note = `too large for a notification (${a.context?.length ?? 0} characters): GET /v1/alerts/${a.id} has it`;
  return payload(
    env,
    {
      ...a,
      dedupKey: cut(a.dedupKey),
      title: cut(a.title),
      context: JSON.stringify({ _cut: note }),
    },
    type,
    none,
  );
}

/** Alerts read, claimed and sent per round of `queueAlerts` (their events in one D1 query). */
const OUTBOX_PAGE = 50;
/** Rounds per `queueAlerts` call at most: 2,000 alert versions; the cron's next run goes on. */
const OUTBOX_ROUNDS = 40;

/**
 * Queues what the outbox holds, a page of alerts at a time until it is empty (a commit may make
 * a thousand alerts: one per actor); returns how many alert versions were claimed. A handful of
 * round trips per page: the due alerts claimed (one statement), their events (one batch: the
 * rows not rendered before, and whether those rendered are still stored), the messages (one
 * queue batch per 100 or 200 KB), the claims ended (one statement).
 */
export async function queueAlerts(env: Env): Promise<number> {
  // No destination: nothing to send, the outbox is emptied at once (one write, not three
  // round trips per page of alerts).
  if (loadDestinations(env).length === 0) return markAllNotified(env.DB);
  let claimed = 0;
  for (let round = 0; round < OUTBOX_ROUNDS; round++) {
    const page = await claimDue(env.DB, OUTBOX_PAGE);
    claimed += await queuePage(env, page);
    if (page.length < OUTBOX_PAGE) break;
  }
  return claimed;
}

/**
 * Queues one page of claimed alerts, then marks what the queue took (and what has no
 * destination) as notified; returns how many were claimed here. A claim whose send failed is
 * given back; one whose sender died runs out (NOTIFY_LEASE_MS) and the next sweep takes it.
 */
async function queuePage(env: Env, claimed: AlertRow[]): Promise<number> {
  const sending = claimed
    .map((alert) => ({ alert, destinations: destinationsOf(env, alert) }))
    .filter((s) => s.destinations.length > 0);
  let unsent: AlertRow[] = sending.map((s) => s.alert);
  let failure: { error: unknown } | null = null;
  if (sending.length > 0) {
    try {
      const events = await presentedEvents(env.DB, unsent);
      const perAlert = sending.map(({ alert, destinations }) => ({
        alert,
        messages: messagesOf(env, alert, events, destinations),
      }));
      const sent = await sendAll(env, perAlert);
      unsent = sent.unsent;
      if (unsent.length > 0) failure = { error: sent.error };
    } catch (error) {
      failure = { error };
    }
  }
  const left = new Set(unsent);
  await markNotified(
    env.DB,
    claimed.filter((a) => !left.has(a)),
  );
  if (failure) {
    await releaseNotifications(env.DB, unsent);
    // Nothing of the page went (the queue is down): the sweep stops, the next one retries.
    // Some went: the sweep goes on, the refused ones given back for the next sweep.
    if (unsent.length === sending.length) throw failure.error;
    console.error(
      `alerts: the notifications queue refused ${unsent.length} alert(s) (${describeError(failure.error)}); given back for the next sweep`,
    );
  }
  return claimed.length;
}

/** An event as a notification carries it (presentedJson), by id; undefined: not stored. */
type Presented = (id: string) => string | undefined;

/**
 * The events of some alerts as their notifications carry them, in one round trip: an event the
 * isolate rendered before (eventJsonCache) is taken from there once D1 says its row is still
 * stored; the others are read and rendered (then kept), each when first asked for.
 */
async function presentedEvents(db: D1Database, alerts: AlertRow[]): Promise<Presented> {
  const ids = [...new Set(alerts.flatMap((a) => JSON.parse(a.eventIds) as string[]))];
  const held = eventJsonCache.held(ids);
  const isHeld = new Set(held.map(([id]) => id));
  const { rows, still } = await alertEventsRead(
    db,
    ids.filter((id) => !isHeld.has(id)),
    held.map(([id, receivedAt]) => [id, receivedAt] as const),
  );
  const json = new Map<string, string>();
  for (const [id, receivedAt, text] of held) {
    if (still.has(id)) json.set(id, text);
    else eventJsonCache.delete(id, receivedAt);
  }
  const read = new Map(rows.map((r) => [r.id, r]));
  return (id) => {
    const known = json.get(id);
    if (known !== undefined) return known;
    const row = read.get(id);
    if (!row) return undefined;
    const text = presentedJson(row, viewOf(row.sourceType));
    json.set(id, text);
    eventJsonCache.set(id, row.receivedAt, text);
    return text;
  };
}

/**
 * The alert's events as sent, as JSON (presentedJson: presentRow's bytes, no object built): the
 * first ones, as many as fit the payload's budget; and the first of them as presentRow gives it
 * (its JSON parsed: the same values).
 */
function eventsOf(a: AlertRow, presented: Presented) {
  let bytes = 0;
  const events: string[] = [];
  for (const id of JSON.parse(a.eventIds) as string[]) {
    const e = presented(id);
    if (e === undefined) continue;
    bytes += e.length;
    if (bytes > MAX_PAYLOAD_BYTES - 8 * 1024) break;
    events.push(e);
  }
  const first = events[0] === undefined ? undefined : (JSON.parse(events[0]) as FirstEvent);
  return { events, first };
}

/** What the Slack text shows of an alert's first event. */
interface FirstEvent {
  actor: Record<string, string>;
  srcIP: string | null;
  srcASOrganization: string | null;
  srcASCountryCode: string | null;
}

/** Text as Slack shows it literally: its three control characters escaped (api.slack.com
 * "Formatting text for app surfaces": &, <, >). */
const slack = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * The alert as sent: its fields, and the rows of its first events (`data.eventIds` names all).
 * The body is JSON.stringify({ type, timestamp, data: { ...presentAlert(a), version, events } }), the
 * events spliced in as their JSON.
 */
function payload(env: Env, a: AlertRow, type: Notification["type"], presented: Presented) {
  const { events, first } = eventsOf(a, presented);
  // its version: retried messages may arrive out of order, and a receiver keeps the highest
  const alert = JSON.stringify({ ...presentAlert(a), version: a.version });
  const data = `${alert.slice(0, -1)}${alert === "{}" ? "" : ","}"events":[${events.join(",")}]}`;

  // Every value from an event, a rule or the config is escaped for Slack: an actor named
  // "<!channel>" or "<https://evil.example|reset your MFA>" is shown as text, not as a mention
  // or a link in the SOC's channel.
  const actor = first ? Object.values(first.actor)[0] : undefined;
  const where = first?.srcIP
    ? ` from ${slack(first.srcIP)}${first.srcASOrganization ? ` (${slack(first.srcASOrganization)}, ${slack(first.srcASCountryCode ?? "?")})` : ""}`
    : "";
  const base = (env as { PUBLIC_URL?: string }).PUBLIC_URL?.replace(/\/+$/, "");
  const link = base ? `<${slack(base)}/#alerts|open in the explorer>` : `alert ${slack(a.id)}`;
  const slackText = `*[${slack(a.level)}] ${slack(a.title)}* (${type === "alert.created" ? "new" : `×${a.count}`})\nsource ${slack(a.sourceID ?? "?")}, actor ${slack(actor ?? "?")}${where}\n${link}`;
  const head = JSON.stringify({ type, timestamp: new Date().toISOString() });
  return { body: `${head.slice(0, -1)},"data":${data}}`, slackText };
}

/** What a message sends: carried by it, or (a message queued before that) built now. */
async function contentOf(env: Env, n: Notification) {
  if (n.body !== undefined && n.slackText !== undefined)
    return { body: n.body, slackText: n.slackText };
  const a = await getAlert(env.DB, n.alertId);
  return a ? payload(env, a, n.type, await presentedEvents(env.DB, [a])) : null;
}

const reasonOf = (err: unknown) => (err instanceof DeliveryError ? err.reason : describeError(err));

/**
 * One notification message sent to its destination: true when it was sent (its delivery is
 * recorded with the batch's, then it is acknowledged), false when there is nothing to send (a
 * destination or alert gone); thrown for the queue to retry.
 */
async function sendNotification(env: Env, n: Notification): Promise<boolean> {
  const d = loadDestinations(env).find((x) => x.id === n.destination);
  if (!d) return false;
  const content = await contentOf(env, n);
  if (!content) return false;
  const delivery: Delivery = { id: `msg_${n.alertId}_${n.version}`, ...content };
  try {
    await deliver(env, d, delivery);
  } catch (err) {
    await recordDestination(env.DB, d.id, { ok: false, error: reasonOf(err) }, Date.now());
    throw err;
  }
  return true;
}

/** A failed attempt: the alert's `delivery` says why, and the queue retries with backoff. */
async function retry(env: Env, m: Message<unknown>, n: Notification, err: unknown): Promise<void> {
  const error = `attempt ${m.attempts} to ${n.destination}: ${reasonOf(err)}`;
  await setDelivery(env.DB, n.alertId, error).catch(() => {});
  m.retry({ delaySeconds: Math.min(600, 5 * 2 ** Math.max(0, m.attempts - 1)) });
}

/**
 * One message of a batch, acknowledged or retried on its own; never throws. A message sent is
 * returned instead, for its delivery to be recorded with the batch's before it is acknowledged.
 */
async function handleMessage(
  env: Env,
  m: Message<unknown>,
  dead: boolean,
): Promise<Notification | null> {
  const n = notification.safeParse(m.body);
  if (!n.success) {
    m.ack();
    return null;
  }
  try {
    if (dead) {
      const last = (await getAlert(env.DB, n.data.alertId))?.delivery ?? "";
      await setDelivery(env.DB, n.data.alertId, `failed to ${n.data.destination}: ${last}`);
    } else if (await sendNotification(env, n.data)) return n.data;
    m.ack();
  } catch (err) {
    await retry(env, m, n.data, err);
  }
  return null;
}

/**
 * The notifications queue and its dead-letter queue. The messages of a batch are delivered
 * concurrently, each acknowledged or retried on its own, so a destination that hangs (until its
 * deadline) holds back no other. The batch's deliveries are then recorded in one D1 batch
 * (destination health, each alert's `delivery`) and acknowledged; if that write fails they are
 * retried, as a message whose record failed always was (the same bytes under the same
 * webhook-id, which receivers deduplicate). A failed send retries with backoff; one that
 * exhausted its retries marks the alert's `delivery`.
 */
export async function handleNotificationQueue(batch: MessageBatch<unknown>, env: Env) {
  const dead = batch.queue.endsWith("-dlq");
  const results = await Promise.allSettled(batch.messages.map((m) => handleMessage(env, m, dead)));
  const sent: Array<{ m: Message<unknown>; n: Notification }> = [];
  results.forEach((r, i) => {
    const m = batch.messages[i];
    if (r.status === "rejected") console.error("notification:", r.reason);
    else if (r.value && m) sent.push({ m, n: r.value });
  });
  if (sent.length === 0) return;
  try {
    await recordDelivered(
      env.DB,
      sent.map(({ n }) => ({ destinationID: n.destination, alertId: n.alertId })),
      Date.now(),
    );
  } catch (err) {
    await Promise.all(sent.map(({ m, n }) => retry(env, m, n, err)));
    return;
  }
  for (const { m } of sent) m.ack();
}
