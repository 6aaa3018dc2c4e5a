/**
 * The table key of `logs` (`rid`): time-ordered, so inserts append and a time range is a key
 * range. key = clamp(eventTime ms) × 2^20 + the row id's first 20 bits (+ a probe, modulo 2^20,
 * when two events share a millisecond and those bits: src/store/ingest.ts moves the later one to
 * the next free key of the same millisecond, so a key always lies within its event's
 * millisecond). Times outside ±2^43 ms (years 1691–2248) are clamped: still stored, ordered
 * among themselves by id. 64-bit values, so BigInt here and text in SQL (CAST AS INTEGER).
 */

const HASH_BITS = 20n;
const SLOT = 2 ** 20;
const TIME_LIMIT = 2 ** 43;

const clamp = (t: number) => Math.min(Math.max(Math.floor(t), -TIME_LIMIT), TIME_LIMIT - 1);

/** The key of a row: its event time and row id (hex), moved on by `probe` after collisions. */
export function rowKey(eventTime: number, id: string, probe = 0): string {
  const low = (Number.parseInt(id.slice(0, 5), 16) + probe) % SLOT;
  return ((BigInt(clamp(eventTime)) << HASH_BITS) + BigInt(low)).toString();
}

/** The smallest key of an event time: rows at or after `t` have keys >= this. */
export function keyAtOrAfter(t: number): string {
  return (BigInt(clamp(t)) << HASH_BITS).toString();
}

/** The key bound below which rows are before `t`; undefined when keys cannot tell (clamped). */
export function keyBefore(t: number): string | undefined {
  return t <= TIME_LIMIT - 1 ? keyAtOrAfter(t) : undefined;
}
