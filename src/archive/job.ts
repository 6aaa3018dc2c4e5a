import { describeError } from "../lib/errors";
import { sha256Hex } from "../lib/hash";
import { toIso } from "../lib/time";
import {
  HOUR,
  type HourState,
  hourRows,
  type KeyedLogRow,
  type ManifestEntry,
  pendingHours,
  recordPart,
  releaseLease,
  ridSumOf,
  takeLease,
  verifyHour,
} from "../store/archive";
import { archivedHours, hourKeys, resetHour, unverifyForRebuild } from "../store/archive-manifest";
import { toParquet } from "./parquet";

/**
 * The archive job (issue 16): every hour of every source (by receivedAt, so late events are
 * never skipped) is written to the ARCHIVE bucket as Parquet under Hive-style keys, then recorded
 * in the manifest. Exactly once:
 * - an object's key follows from the hour and its part number, and a part's rows from the
 *   hour's watermark (the last archived row, in (receivedAt, key) order): a run that crashed
 *   after writing an object writes the same rows to the same key again;
 * - the manifest row and the new watermark are one batch, applied only if the watermark is
 *   where the run read it; a single lease keeps concurrent runs (cron and POST /v1/archive/run)
 *   from racing at all: the second finds the lease taken and does nothing.
 * Closed hours are archived once their end is GRACE old (commits in flight have landed), then
 * verified (store/archive.ts verifyHour): only a verified hour's rows may leave D1. With
 * `throughNow`, the open hour is archived too, up to now; its later rows go into a further part.
 * Work per run is bounded (MAX_PARTS parts, RUN_MS of time); the next run goes on. An hour that
 * fails (an object that cannot be read, R2 refusing a write) is reported and left to the next
 * run; the other hours go on, so one bad hour never holds every source's archive.
 */

export const PART_ROWS = 20_000;
/** A part's budget of row text (rawLogs read back from R2 included), about. */
const PART_BYTES = 32 * 1024 * 1024;
const PAGE = 1000;
const GRACE = 10 * 60_000;
/** Parts written per run at most, and the hours looked at: a run of many small sources. */
const MAX_PARTS = 200;
const MAX_HOURS = 500;
/**
 * A run starts no further part after this long (the lease is LEASE): about what 12 full parts
 * (240,000 rows, the bound before) took, within a cron's 30 s of CPU; many small hours fit.
 */
const RUN_MS = 20_000;
const LEASE = 10 * 60_000;

interface ArchiveEnv {
  DB: D1Database;
  ARCHIVE: R2Bucket;
}

export interface ArchiveRun {
  status: "done" | "busy" | "more";
  through: number;
  parts: number;
  rows: number;
  bytes: number;
  /** Hours that failed in this run (left to the next one), with the error. */
  failed?: Array<{ sourceID: string; hour: number; error: string }>;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** `archive/v1/source=<id>/date=<YYYY-MM-DD>/hour=<HH>/<id>-<YYYYMMDDHH>-<n>.parquet` */
export function archiveKey(sourceID: string, hour: number, part: number): string {
  const d = new Date(hour);
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const stamp = `${date.replaceAll("-", "")}${pad(d.getUTCHours())}`;
  return `archive/v1/source=${sourceID}/date=${date}/hour=${pad(d.getUTCHours())}/${sourceID}-${stamp}-${part}.parquet`;
}

/** What a row weighs in a part's budget: its text columns, roughly, and its rawLog. */
const weight = (r: KeyedLogRow) => 512 + r.rawLog.length + r.sourceFields.length + r.tags.length;

/**
 * Rows of one part: after the watermark, received before `to`, at most PART_ROWS and about
 * PART_BYTES (a row's rawLog may be megabytes, in R2: an hour of such rows must not be read
 * into one part, and a Worker's 128 MB), at least one. `more`: the part stopped at a bound, so
 * rows may be left. The same watermark gives the same rows (a crashed run writes them again).
 */
async function partRows(
  env: ArchiveEnv,
  h: HourState,
  to: number,
  budget: number,
): Promise<{ rows: KeyedLogRow[]; more: boolean }> {
  const rows: KeyedLogRow[] = [];
  let bytes = 0;
  let at = h;
  let more = false;
  fill: while (rows.length < PART_ROWS) {
    const page = await hourRows(env.DB, at, to, Math.min(PAGE, PART_ROWS - rows.length));
    for (const r of page) {
      const w = weight(r);
      if (rows.length > 0 && bytes + w > budget) {
        more = true;
        break fill;
      }
      rows.push(r);
      bytes += w;
    }
    const last = page[page.length - 1];
    if (!last || page.length < PAGE) break;
    at = { ...at, doneReceivedAt: last.receivedAt, doneKey: last.key };
  }
  if (rows.length === PART_ROWS) more = true;
  // A rawLog too large for D1 was moved to R2 (rawLogRef): the archive holds the text itself,
  // within the part's budget (a row whose rawLog would pass it starts the next part).
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as KeyedLogRow;
    if (!r.rawLogRef || r.rawLog !== "") continue;
    const object = await env.ARCHIVE.get(r.rawLogRef);
    if (!object) throw new Error(`archive: ${r.rawLogRef} (rawLog of ${r.id}) is missing`);
    if (i > 0 && bytes + object.size > budget) {
      await object.body.cancel();
      rows.length = i;
      more = true;
      break;
    }
    r.rawLog = await object.text();
    bytes += object.size;
  }
  return { rows, more };
}

/** A part's rows per event-time hour, for histograms that read no Parquet (issue 28). */
function eventHoursOf(rows: readonly KeyedLogRow[]): string {
  const counts = new Map<number, number>();
  for (const r of rows) {
    const h = Math.floor(r.eventTime / HOUR) * HOUR;
    counts.set(h, (counts.get(h) ?? 0) + 1);
  }
  return JSON.stringify([...counts].sort((a, b) => a[0] - b[0]));
}

/** Writes the next part of hour `h` (or marks it done when nothing is left); the new state. */
async function archivePart(env: ArchiveEnv, h: HourState, to: number, now: number, budget: number) {
  const { rows, more: full } = await partRows(env, h, to, budget);
  const last = rows[rows.length - 1];
  const entry: ManifestEntry = {
    sourceID: h.sourceID,
    hour: h.hour,
    part: h.parts,
    key: archiveKey(h.sourceID, h.hour, h.parts),
    rows: rows.length,
    bytes: 0,
    minEventTime: Math.min(...rows.map((r) => r.eventTime)),
    maxEventTime: Math.max(...rows.map((r) => r.eventTime)),
    sha256: "",
    createdAt: now,
    eventHours: eventHoursOf(rows),
    ridSum: ridSumOf(rows),
  };
  if (rows.length > 0) {
    const file = toParquet(rows);
    entry.bytes = file.byteLength;
    entry.sha256 = await sha256Hex(new Uint8Array(file));
    await env.ARCHIVE.put(entry.key, file, {
      httpMetadata: { contentType: "application/vnd.apache.parquet" },
      customMetadata: { rows: String(rows.length), sha256: entry.sha256 },
    });
  }
  const done = {
    receivedAt: last ? last.receivedAt : h.doneReceivedAt,
    key: last ? last.key : h.doneKey,
    through: full ? (h.archivedThrough ?? h.hour) : to,
  };
  const recorded = await recordPart(env.DB, h, entry, done);
  return {
    recorded,
    entry,
    full,
    next: {
      ...h,
      doneReceivedAt: done.receivedAt,
      doneKey: done.key,
      archivedThrough: done.through,
      parts: h.parts + (rows.length > 0 ? 1 : 0),
    },
  };
}

export async function runArchive(
  env: ArchiveEnv,
  now: number,
  /** partBytes: a part's byte budget (PART_BYTES; tests make it small). */
  opts: { throughNow?: boolean; partBytes?: number } = {},
): Promise<ArchiveRun> {
  const through = opts.throughNow ? now : Math.floor((now - GRACE) / HOUR) * HOUR;
  const run: ArchiveRun = { status: "done", through, parts: 0, rows: 0, bytes: 0 };
  const holder = crypto.randomUUID();
  if (!(await takeLease(env.DB, holder, now, now + LEASE))) return { ...run, status: "busy" };
  const deadline = Date.now() + RUN_MS;
  const bounded = () => run.parts >= MAX_PARTS || Date.now() >= deadline;
  try {
    const hours = await pendingHours(env.DB, through, MAX_HOURS + 1);
    for (const pending of hours.slice(0, MAX_HOURS)) {
      if (bounded()) return { ...run, status: "more" };
      try {
        await archiveHour(env, pending, Math.min(pending.hour + HOUR, through), {
          now,
          run,
          bounded,
          partBytes: opts.partBytes ?? PART_BYTES,
        });
      } catch (err) {
        const error = describeError(err);
        console.error(`archive: ${pending.sourceID} hour ${toIso(pending.hour)}: ${error}`);
        run.failed ??= [];
        run.failed.push({ sourceID: pending.sourceID, hour: pending.hour, error });
      }
    }
    return hours.length > MAX_HOURS || bounded() ? { ...run, status: "more" } : run;
  } finally {
    await releaseLease(env.DB, holder);
  }
}

/** A run's state, as each hour's parts share it. */
interface RunState {
  now: number;
  run: ArchiveRun;
  /** Whether the run reached its bounds (parts, time). */
  bounded: () => boolean;
  partBytes: number;
}

/** Archives one hour up to `to`, part after part, while the run is within its bounds. */
async function archiveHour(
  env: ArchiveEnv,
  pending: HourState,
  to: number,
  { now, run, bounded, partBytes }: RunState,
): Promise<void> {
  let h = pending;
  for (;;) {
    if (bounded()) return;
    const r = await archivePart(env, h, to, now, partBytes);
    if (!r.recorded) return; // the watermark moved under us: leave the hour to the next run
    if (r.entry.rows > 0) {
      run.parts += 1;
      run.rows += r.entry.rows;
      run.bytes += r.entry.bytes;
    }
    if (!r.full) {
      if (to === h.hour + HOUR) await verifyHour(env.DB, r.next);
      return;
    }
    h = r.next;
  }
}

export interface RebuildResult {
  status: "done" | "busy";
  hours: number;
  objectsDeleted: number;
  /**
   * Hours not rebuilt: some of their rows may have left D1 with the archive as their only copy
   * (src/store/archive-manifest.ts unverifyForRebuild).
   */
  refused: Array<{ source: string; hour: number }>;
}

/**
 * POST /v1/archive/rebuild: forgets the archive of the matching hours whose rows are all still
 * in D1 — objects first, then manifest entries and watermarks — so the next run writes them
 * again (the same keys). Under the run lease. Hours whose rows may have partly left D1 are
 * refused.
 */
export async function rebuildArchive(
  env: ArchiveEnv,
  now: number,
  q: { sourceID?: string; from?: number; to?: number },
): Promise<RebuildResult> {
  const holder = crypto.randomUUID();
  const result: RebuildResult = { status: "done", hours: 0, objectsDeleted: 0, refused: [] };
  if (!(await takeLease(env.DB, holder, now, now + LEASE))) return { ...result, status: "busy" };
  try {
    for (const h of await archivedHours(env.DB, q)) {
      // unverified first, if D1 still holds all its rows (else refused): retention deletes
      // none of them from then on
      if (!(await unverifyForRebuild(env.DB, h))) {
        result.refused.push({ source: h.sourceID, hour: h.hour });
        continue;
      }
      // objects next: a crash leaves manifest entries of missing objects (listed, rebuilt on a
      // retry), never objects outside the manifest that a reader would count twice
      const keys = await hourKeys(env.DB, h);
      if (keys.length > 0) await env.ARCHIVE.delete(keys);
      await resetHour(env.DB, h);
      result.hours += 1;
      result.objectsDeleted += keys.length;
    }
    return result;
  } finally {
    await releaseLease(env.DB, holder);
  }
}
