/**
 * The KV namespace @cloudflare/workers-oauth-provider reads as `env.OAUTH_KV`, over the D1 table
 * `oauth_kv` (src/store/schema.ts): the methods and options the library uses (get as text or
 * JSON, put with expirationTtl / expiration / metadata, delete, list by prefix with cursor and
 * limit, keys in lexicographic order as KV lists them). D1 rather than a KV binding: a grant,
 * code or refresh token written at one location is read at the next request wherever it lands
 * (KV may take up to 60 s to show a write elsewhere, and codes and rotated refresh tokens are
 * used within seconds), and the fixed stack (D1, R2, Queues, Cron) needs no new resource.
 */

type Seconds = number;

interface PutOptions {
  expiration?: Seconds;
  expirationTtl?: Seconds;
  metadata?: unknown;
}

interface ListOptions {
  prefix?: string | null;
  limit?: number;
  cursor?: string | null;
}

const MAX_LIST = 1000;
/** KV refuses a TTL under 60 s; the library asks for at least that. */
const MIN_TTL = 60;

const nowSeconds = () => Math.floor(Date.now() / 1000);
const LIVE = "(expiresAt IS NULL OR expiresAt > ?2)";

export function d1Kv(db: D1Database) {
  async function get(key: string, options?: { type?: string } | string): Promise<unknown> {
    const row = await db
      .prepare(`SELECT value FROM oauth_kv WHERE key = ?1 AND ${LIVE}`)
      .bind(key, nowSeconds())
      .first<{ value: string }>();
    if (!row) return null;
    const type = typeof options === "string" ? options : options?.type;
    return type === "json" ? (JSON.parse(row.value) as unknown) : row.value;
  }

  async function put(key: string, value: string, options: PutOptions = {}): Promise<void> {
    const expiresAt =
      options.expiration !== undefined
        ? options.expiration
        : options.expirationTtl !== undefined
          ? nowSeconds() + Math.max(MIN_TTL, options.expirationTtl)
          : null;
    await db
      .prepare(
        `INSERT INTO oauth_kv (key, value, metadata, expiresAt) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, metadata = excluded.metadata,
           expiresAt = excluded.expiresAt`,
      )
      .bind(
        key,
        value,
        options.metadata === undefined ? null : JSON.stringify(options.metadata),
        expiresAt,
      )
      .run();
  }

  async function del(key: string): Promise<void> {
    await db.prepare("DELETE FROM oauth_kv WHERE key = ?1").bind(key).run();
  }

  async function list(options: ListOptions = {}) {
    const limit = Math.min(Math.max(1, options.limit ?? MAX_LIST), MAX_LIST);
    const { results } = await db
      .prepare(
        `SELECT key, metadata, expiresAt FROM oauth_kv
         WHERE key >= ?1 AND substr(key, 1, length(?1)) = ?1 AND ${LIVE} AND key > ?3
         ORDER BY key LIMIT ?4`,
      )
      .bind(options.prefix ?? "", nowSeconds(), options.cursor ?? "", limit + 1)
      .all<{ key: string; metadata: string | null; expiresAt: number | null }>();
    const page = results.slice(0, limit);
    const complete = results.length <= limit;
    return {
      keys: page.map((r) => ({
        name: r.key,
        ...(r.expiresAt !== null ? { expiration: r.expiresAt } : {}),
        ...(r.metadata !== null ? { metadata: JSON.parse(r.metadata) as unknown } : {}),
      })),
      list_complete: complete,
      ...(complete ? {} : { cursor: page[page.length - 1]?.key ?? "" }),
      cacheStatus: null,
    };
  }

  return { get, put, delete: del, list } as unknown as KVNamespace;
}

/** Deletes the records whose expiration passed (the hourly cron); returns how many. */
export async function purgeExpiredOauthKv(db: D1Database, now = Date.now()): Promise<number> {
  const r = await db
    .prepare("DELETE FROM oauth_kv WHERE expiresAt IS NOT NULL AND expiresAt <= ?1")
    .bind(Math.floor(now / 1000))
    .run();
  return r.meta.changes;
}
