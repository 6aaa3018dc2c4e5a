import type { Subscription } from "../ports";

/** Announcer messages already handled, and SNS subscription states (src/store/schema.ts). */

export async function seenDelivery(db: D1Database, sourceID: string, messageId: string) {
  const row = await db
    .prepare("SELECT 1 AS seen FROM deliveries WHERE sourceID = ?1 AND messageId = ?2")
    .bind(sourceID, messageId)
    .first<{ seen: number }>();
  return row !== null;
}

/** Marks a message handled; false when another request marked it first. */
export async function recordDelivery(
  db: D1Database,
  sourceID: string,
  messageId: string,
  now: number,
): Promise<boolean> {
  const r = await db
    .prepare(
      "INSERT INTO deliveries (sourceID, messageId, receivedAt) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
    )
    .bind(sourceID, messageId, now)
    .run();
  return r.meta.changes > 0;
}

/** Deliveries older than `before` (ms) are forgotten: announcers stop redelivering long before. */
export function pruneDeliveriesStatement(db: D1Database, before: number): D1PreparedStatement {
  return db.prepare("DELETE FROM deliveries WHERE receivedAt < ?1").bind(before);
}

export type { Subscription };

export async function saveSubscription(db: D1Database, s: Subscription): Promise<void> {
  await db
    .prepare(
      `INSERT INTO subscriptions (sourceID, topicArn, status, subscriptionArn, updatedAt, lastError)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6)
       ON CONFLICT(sourceID, topicArn) DO UPDATE SET status = excluded.status,
         subscriptionArn = coalesce(excluded.subscriptionArn, subscriptionArn),
         updatedAt = excluded.updatedAt, lastError = excluded.lastError`,
    )
    .bind(s.sourceID, s.topicArn, s.status, s.subscriptionArn, s.updatedAt, s.lastError)
    .run();
}

export async function readSubscriptions(db: D1Database): Promise<Subscription[]> {
  const { results } = await db
    .prepare("SELECT * FROM subscriptions ORDER BY sourceID, topicArn")
    .all<Subscription>();
  return results;
}
