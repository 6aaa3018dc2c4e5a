/**
 * The events an alert's notification carries, as JSON (presentedJson), kept per isolate: an
 * open alert's first 20 events are the same from one version to the next (issue 27: each
 * matching push made ~25 versions, and each re-read and re-rendered its ~20 stored events,
 * ~500 rows and ~400 KB from D1, the same as the push before). An entry is keyed by the event's
 * id and holds the `receivedAt` of the row it was rendered from: stored rows are never updated
 * (only deleted, by retention), and a row stored again under the same id after a delete is a
 * later commit's, with a later `receivedAt`. So a row still stored with that id and that
 * `receivedAt` is the row rendered, and renders to the same bytes (the vendor views are fixed
 * for an isolate's life). Before each use D1 says which entries are still stored so
 * (`alertEventsRead`): a deleted event drops out of the payload as it did without the cache.
 */

interface Entry {
  receivedAt: number;
  json: string;
}

/** What an entry is counted as: its JSON and id as UTF-16, and the Map's own share. */
const sizeOf = (id: string, json: string) => 2 * (id.length + json.length) + 96;

/** Presented events by id, least recently used first, within `maxBytes`. */
export class EventJsonCache {
  private readonly entries = new Map<string, Entry>();
  private size = 0;

  constructor(readonly maxBytes: number) {}

  get bytes(): number {
    return this.size;
  }

  get count(): number {
    return this.entries.size;
  }

  /**
   * The entries of `ids` held, as [id, receivedAt, JSON] (marked recently used): taken now, so
   * what other requests of the isolate do meanwhile changes nothing of them. Each is used only
   * once D1 confirms its row is still stored.
   */
  held(ids: Iterable<string>): Array<[string, number, string]> {
    const out: Array<[string, number, string]> = [];
    for (const id of ids) {
      const e = this.entries.get(id);
      if (!e) continue;
      this.entries.delete(id);
      this.entries.set(id, e);
      out.push([id, e.receivedAt, e.json]);
    }
    return out;
  }

  set(id: string, receivedAt: number, json: string): void {
    this.delete(id);
    const size = sizeOf(id, json);
    if (size > this.maxBytes) return;
    this.entries.set(id, { receivedAt, json });
    this.size += size;
    for (const [old, e] of this.entries) {
      if (this.size <= this.maxBytes) break;
      this.entries.delete(old);
      this.size -= sizeOf(old, e.json);
    }
  }

  /** Drops the entry of `id`; with `receivedAt`, only if it was rendered from that row. */
  delete(id: string, receivedAt?: number): void {
    const e = this.entries.get(id);
    if (!e || (receivedAt !== undefined && e.receivedAt !== receivedAt)) return;
    this.entries.delete(id);
    this.size -= sizeOf(id, e.json);
  }

  clear(): void {
    this.entries.clear();
    this.size = 0;
  }
}

/**
 * The isolate's cache: 4 MB, a few thousand events (an event is ~1 KB of JSON, 2 KB as a
 * string), the first events of a few hundred alerts.
 */
export const eventJsonCache = new EventJsonCache(4 * 1024 * 1024);
