import { ruleRow } from "../catalog";
import { toIso } from "../lib/time";
import type { NormalizedEvent } from "../model/event";
import type { ViewDefinition } from "../model/view";
import { isMarker } from "../store/derived";
import { parseJson } from "../store/present";
import type { LogRow } from "../store/schema";
import { pathKeys } from "../store/source-fields";

/**
 * A commit's rows as detection rules read them, built from what the commit has in memory (issue
 * 27): ruleRowOf (src/store/present.ts) reads a stored row, so it parses the row's JSON columns
 * and its rawLog again, for every row of every commit, matching or not, about half of what the
 * rules cost. Here the normalized event's own objects and the parsed record stand in for those
 * parses wherever JSON.parse(JSON.stringify(x)) would give x back exactly; anywhere it would not
 * (an undefined member, a NaN, a Date, a class instance), the row is left to ruleRowOf. So the
 * commit and the backtest (which reads stored rows) judge every row the same:
 * test/detect/rule-row.test.ts checks the two give the same row for every vendor's fixtures.
 */

/** What prepareRecords made a row from: its event, and the parsed record when its rawLog is the
 * record's text (`parsed` is then JSON.parse(rawLog) or the value it was serialized from). */
export interface RowOrigin {
  event: NormalizedEvent;
  record?: { parsed: unknown };
}

/** Nesting that JSON.parse could give back (src/parse/json.ts MAX_NESTING bounds records). */
const MAX_DEPTH = 64;

/**
 * Whether a JSON round trip gives `v` back exactly: plain objects and arrays (no hole) of
 * strings, booleans, null and finite numbers (-0 comes back 0), nothing undefined.
 */
function exactJson(v: unknown, depth: number): boolean {
  if (v === null) return true;
  switch (typeof v) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(v) && !Object.is(v, -0);
    case "object":
      break;
    default:
      return false;
  }
  if (depth >= MAX_DEPTH) return false;
  if (Array.isArray(v)) {
    if (Object.getPrototypeOf(v) !== Array.prototype) return false;
    for (let i = 0; i < v.length; i++) if (!(i in v) || !exactJson(v[i], depth + 1)) return false;
    return true;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype) return false;
  const o = v as Record<string, unknown>;
  for (const k in o) if (!Object.hasOwn(o, k) || !exactJson(o[k], depth + 1)) return false;
  return true;
}

/** Not sure what JSON.parse(rawLog) holds at a path: ruleRowOf decides. */
const UNSURE = Symbol("unsure");

/** A JSON column as ruleRowOf reads it: the event's own value when it is exactly what the text
 * parses to (the text is JSON.stringify of it, src/store/rows.ts toRow). A marker (the map left to
 * be rebuilt from rawLog, src/store/derived.ts) with no exact own value: UNSURE, ruleRowOf decides. */
const column = <T>(own: unknown, text: string | null, fallback: T): unknown =>
  exactJson(own, 0) ? own : isMarker(text) ? UNSURE : parseJson<T>(text, fallback);

/**
 * What src/store/source-fields.ts `fullSourceFields` reads at `path` of JSON.parse(rawLog)
 * (src/lib/json-path.ts pathReader), from the parsed record
 * instead: the same walk (plain objects only), and UNSURE where the record's value could differ
 * from its JSON (an object that is not plain on the way, a value a round trip changes).
 */
function readRecord(parsed: unknown, path: string): unknown {
  let v = parsed;
  for (const key of pathKeys(path)) {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return undefined;
    if (Object.getPrototypeOf(v) !== Object.prototype || "toJSON" in v) return UNSURE;
    v = (v as Record<string, unknown>)[key];
  }
  return v === undefined || exactJson(v, 0) ? v : UNSURE;
}

/** toIso of a commit's receivedAt, the same for each of its rows: formatted once. */
let lastReceived: { ms: number; iso: string } | undefined;
function receivedIso(ms: number): string {
  if (lastReceived?.ms !== ms) lastReceived = { ms, iso: toIso(ms) };
  return lastReceived.iso;
}

/** The stored columns a rule row leaves out (src/store/present.ts ruleRowOf). */
const LEFT_OUT = new Set(["rid", "key", "sourceFields"]);
/** The JSON columns a rule row holds parsed, and what ruleRowOf gives for an empty one. */
const MAP_FALLBACK: Readonly<Record<string, () => unknown>> = {
  actor: () => ({}),
  tags: () => ({}),
  resources: () => [],
  enrichments: () => [],
};

/** One row's rule row as lazyRuleRow computes it: what it was made of, and the columns read so far. */
interface LazyState {
  row: LogRow;
  view: ViewDefinition | undefined;
  origin: RowOrigin;
  /** ruleRowOf of the row, made (once) when a column cannot be read from memory. */
  full: () => Record<string, unknown>;
  values: Map<string, unknown>;
  /** The view columns the rule row adds (viewColumnsOf), made when first asked for. */
  viewColumns?: ReadonlySet<string>;
  /** The view columns' source: parsed sourceFields (null: not an object), decided once. */
  stored?: Record<string, unknown> | null;
  keys?: string[];
}

/** The vendor view's columns a rule row adds after the stored ones (as ruleRowFrom adds them). */
const viewColumnsOf = (row: LogRow, view: ViewDefinition | undefined): string[] =>
  view
    ? view.columns.filter((c) => !(c in {}) && !(Object.hasOwn(row, c) && !LEFT_OUT.has(c)))
    : [];

/** The rule row's keys, in ruleRowFrom's order: the stored columns, then the view's. */
function keysOf(st: LazyState): string[] {
  st.keys ??= [
    ...Object.keys(st.row).filter((k) => !LEFT_OUT.has(k)),
    ...viewColumnsOf(st.row, st.view),
  ];
  return st.keys;
}

function hasKey(st: LazyState, k: string): boolean {
  if (Object.hasOwn(st.row, k) && !LEFT_OUT.has(k)) return true;
  st.viewColumns ??= new Set(viewColumnsOf(st.row, st.view));
  return st.viewColumns.has(k);
}

/** One column of the rule row from memory, or UNSURE (ruleRowOf decides). */
function columnFrom(st: LazyState, k: string): unknown {
  const { row, origin } = st;
  if (Object.hasOwn(row, k) && !LEFT_OUT.has(k)) {
    if (k === "receivedAt") return receivedIso(row.receivedAt);
    if (k === "eventTime") return toIso(row.eventTime);
    if (k === "readOnly") return row.readOnly === null ? null : row.readOnly === 1;
    const fallback = MAP_FALLBACK[k];
    if (fallback) {
      const own = (origin.event as unknown as Record<string, unknown>)[k];
      return column(own, (row as unknown as Record<string, string | null>)[k] ?? null, fallback());
    }
    return (row as unknown as Record<string, unknown>)[k];
  }
  // a view column (hasKey was checked)
  const view = st.view as ViewDefinition;
  if (st.stored === undefined) {
    const parsed = parseJson<unknown>(row.sourceFields, {});
    st.stored =
      parsed === null || typeof parsed !== "object" ? null : (parsed as Record<string, unknown>);
  }
  const fields = st.stored;
  if (fields === null) return UNSURE;
  const paths = view.rawPaths;
  if (!paths || view.columns.every((c) => c in fields)) return fields[k];
  if (!origin.record || row.rawLog !== origin.event.rawLog) return UNSURE;
  if (k in fields) return fields[k];
  const path = paths[k];
  if (path === undefined) return null;
  const v = readRecord(origin.record.parsed, path);
  return v === UNSURE ? UNSURE : (v ?? null);
}

const stateOf = (
  row: LogRow,
  view: ViewDefinition | undefined,
  origin: RowOrigin,
  full: () => Record<string, unknown>,
): LazyState => ({ row, view, origin, full, values: new Map() });

/**
 * ruleRowOf(row, view) (src/store/present.ts) of a row prepareRecords made from `origin`, the
 * two unchanged since, every column made at once; or undefined where only ruleRowOf can say.
 */
export function ruleRowFrom(
  row: LogRow,
  view: ViewDefinition | undefined,
  origin: RowOrigin,
): Record<string, unknown> | undefined {
  const st = stateOf(row, view, origin, () => ({}));
  const rule: Record<string, unknown> = {};
  for (const k of keysOf(st)) {
    const v = columnFrom(st, k);
    if (v === UNSURE) return undefined;
    rule[k] = v;
  }
  return rule;
}

/** A column of the rule row (hasKey): from memory (ruleRowFrom's way), else ruleRowOf's; kept. */
function lazyGet(st: LazyState, k: string): unknown {
  if (st.values.has(k)) return st.values.get(k);
  let v = columnFrom(st, k);
  if (v === UNSURE) v = st.full()[k];
  st.values.set(k, v);
  return v;
}

/**
 * The rule row as a plain object to its readers (the same keys, order, values and prototype as
 * ruleRowFrom's, else ruleRowOf's, column by column), each column computed when first read: a
 * commit's rules read a few columns of each row (`eventName`, `actor`), and building all of
 * them (the view's read from the record) was most of what matching a push cost: with the
 * starter rules, 3.3 → 0.9 ms per 1,000 Turbopuffer events (`detect_match_ms_per_1000`,
 * bench/detect.bench.ts). Nothing writes to it (set, define and delete are refused).
 */
const LAZY: ProxyHandler<LazyState> = {
  // a key the row has not reads as on a plain object (its prototype's: `toString`, …)
  get: (st, k) =>
    typeof k === "string" && hasKey(st, k)
      ? lazyGet(st, k)
      : (Object.prototype as Record<PropertyKey, unknown>)[k],
  has: (st, k) => (typeof k === "string" && hasKey(st, k)) || k in Object.prototype,
  ownKeys: (st) => keysOf(st),
  getOwnPropertyDescriptor: (st, k) =>
    typeof k === "string" && hasKey(st, k)
      ? { value: lazyGet(st, k), writable: true, enumerable: true, configurable: true }
      : undefined,
  getPrototypeOf: () => Object.prototype,
  set: () => false,
  defineProperty: () => false,
  deleteProperty: () => false,
};

/** ruleRowOf(row, view) of a row prepareRecords made from `origin`, its columns read lazily. */
export function lazyRuleRow(
  row: LogRow,
  view: ViewDefinition | undefined,
  origin: RowOrigin,
  full: () => Record<string, unknown>,
): Record<string, unknown> {
  let made: Record<string, unknown> | undefined;
  const state = stateOf(row, view, origin, () => {
    made ??= full();
    return made;
  });
  return new Proxy(state, LAZY) as unknown as Record<string, unknown>;
}

/**
 * Each row of a prepared commit as rules read it (ruleRowOf), from the event and record it was
 * made of (lazyRuleRow: ruleRowFrom's way, column by column), else from the row (ruleRowOf):
 * what a commit's matching reads.
 */
export function preparedRuleRow(prepared: {
  view: ViewDefinition | undefined;
  origins: ReadonlyMap<LogRow, RowOrigin>;
}) {
  const { view, origins } = prepared;
  return (row: LogRow) => {
    const origin = origins.get(row);
    return origin ? lazyRuleRow(row, view, origin, () => ruleRow(row)) : ruleRow(row);
  };
}
