import { and, asc, desc, eq, gte, lt, or, type SQL, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { ridOf } from "../lib/hash";
import { type LogRow, logs } from "./schema";

export interface LogQuery {
  sourceType?: string;
  sourceID?: string;
  eventName?: string;
  actor?: string;
  srcIP?: string;
  from?: number;
  to?: number;
  timeField: "eventTime" | "receivedAt";
  order: "asc" | "desc";
  limit: number;
  after?: { t: number; id: string };
}

/** One page of rows by keyset (time, id): stable under concurrent inserts, no OFFSET scans. */
export async function queryLogs(db: D1Database, q: LogQuery): Promise<LogRow[]> {
  const time = q.timeField === "receivedAt" ? logs.receivedAt : logs.eventTime;
  const conds: Array<SQL | undefined> = [
    q.sourceType ? eq(logs.sourceType, q.sourceType) : undefined,
    q.sourceID ? eq(logs.sourceID, q.sourceID) : undefined,
    q.eventName ? eq(logs.eventName, q.eventName) : undefined,
    q.srcIP ? eq(logs.srcIP, q.srcIP) : undefined,
    q.actor
      ? sql`EXISTS (SELECT 1 FROM json_each(${logs.actor}) WHERE json_each.value = ${q.actor})`
      : undefined,
    q.from !== undefined ? gte(time, q.from) : undefined,
    q.to !== undefined ? lt(time, q.to) : undefined,
  ];
  if (q.after) {
    const { t, id } = q.after;
    conds.push(
      q.order === "desc"
        ? or(lt(time, t), and(eq(time, t), sql`${logs.rid} < CAST(${ridOf(id)} AS INTEGER)`))
        : or(
            sql`${time} > ${t}`,
            and(eq(time, t), sql`${logs.rid} > CAST(${ridOf(id)} AS INTEGER)`),
          ),
    );
  }
  const dir = q.order === "desc" ? desc : asc;
  return drizzle(db)
    .select()
    .from(logs)
    .where(and(...conds))
    .orderBy(dir(time), dir(logs.rid))
    .limit(q.limit);
}

export async function getLog(db: D1Database, id: string): Promise<LogRow | undefined> {
  const rows = await drizzle(db)
    .select()
    .from(logs)
    .where(and(sql`${logs.rid} = CAST(${ridOf(id)} AS INTEGER)`, eq(logs.id, id)))
    .limit(1);
  return rows[0];
}
