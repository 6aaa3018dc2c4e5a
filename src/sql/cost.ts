/**
 * The cost bound of `POST /v1/sql` (issue 22): D1 runs one query at a time per database, so one
 * reader's cross product holds every push and query behind it. Before a query runs, SQLite's own
 * plan (`EXPLAIN QUERY PLAN`, which compiles without reading a row) is read as nested loops, and a
 * query is refused when one loop nest multiplies two things that can each be large:
 *
 * - a *scan*: any loop over a table, a view, a CTE or a subquery, and any SEARCH other than an
 *   equality on a unique key (a range, an index that is not unique, an automatic index), and a
 *   json_each/json_tree over a value the query builds (a literal array, a subquery), since its
 *   size is whatever the query makes it;
 * - a *fan-out*: a json_each/json_tree over a column of the row in hand (`json_each(l.actor)`),
 *   bounded by the size of that row.
 *
 * One scan and one fan-out may nest (every row of logs, each element of its actor), and any number
 * of lookups on a unique key (`JOIN logs b ON b.id = a.id`); a second scan or a second fan-out in
 * the same nest is a cross product and refused. A subquery that is not correlated runs once and
 * is a nest of its own; a correlated one runs for each row of the loops around it, so its loops
 * join theirs. And a query makes at most MAX_SCANS scans in all, nests one after another
 * included. Recursive CTEs never get here (the gate refuses them).
 */

import { foldName } from "./rules";

export interface PlanRow {
  readonly id: number;
  readonly parent: number;
  readonly detail: string;
}

/** A table-valued function in FROM: the name the plan shows (alias, or function) and its kind. */
export interface TableFunction {
  readonly name: string;
  /** Its arguments are columns of the row in hand (optionally with a path), nothing the query builds. */
  readonly rowBound: boolean;
}

export interface CostContext {
  readonly functions: readonly TableFunction[];
  /** Unique indexes, by name, with the number of columns each has. */
  readonly uniqueIndexes: ReadonlyMap<string, number>;
}

type LoopKind = "lookup" | "scan" | "fanout";

interface Nest {
  readonly scans: string[];
  readonly fanouts: string[];
}

const LOOP = /^(SCAN|SEARCH) (\S+)(.*)$/;
const UNIQUE_SEARCH = /^ USING (?:COVERING )?INDEX (\S+) \(([^)]*)\)$/;

/** Whether `constraints` ("id=?", "a=? AND b=?") are equalities over every column of the index. */
function coversWithEquality(constraints: string, columns: number | undefined): boolean {
  const terms = constraints.split(" AND ");
  return columns === terms.length && terms.every((t) => /^\S+=\?$/.test(t));
}

interface Loop {
  readonly kind: LoopKind;
  /** The plan's line, as the refusal names it. */
  readonly label: string;
}

function tableFunctionLoop(name: string, detail: string, ctx: CostContext): Loop {
  const matching = ctx.functions.filter((f) => f.name === foldName(name));
  const rowBound = matching.length > 0 && matching.every((f) => f.rowBound);
  const what = rowBound ? "over a column" : "over a value the query builds";
  const label = `${detail.replace(/ VIRTUAL TABLE.*$/, "")} (json_each/json_tree ${what})`;
  return { kind: rowBound ? "fanout" : "scan", label };
}

function loopOf(detail: string, ctx: CostContext): Loop | undefined {
  if (detail.startsWith("MULTI-INDEX OR")) return { kind: "scan", label: detail };
  const m = LOOP.exec(detail);
  if (!m) return undefined;
  const [, verb, name, rest] = m as unknown as [string, string, string, string];
  if (rest.startsWith(" VIRTUAL TABLE")) return tableFunctionLoop(name, detail, ctx);
  const unique = verb === "SEARCH" ? UNIQUE_SEARCH.exec(rest) : null;
  const lookup =
    (verb === "SCAN" && name === "CONSTANT" && rest === " ROW") ||
    (verb === "SEARCH" && rest === " USING INTEGER PRIMARY KEY (rowid=?)") ||
    (unique !== null &&
      coversWithEquality(unique[2] as string, ctx.uniqueIndexes.get(unique[1] as string)));
  return { kind: lookup ? "lookup" : "scan", label: detail };
}

function childrenOf(plan: readonly PlanRow[]): Map<number, PlanRow[]> {
  const children = new Map<number, PlanRow[]>();
  for (const row of [...plan].sort((a, b) => a.id - b.id)) {
    const list = children.get(row.parent) ?? [];
    list.push(row);
    children.set(row.parent, list);
  }
  return children;
}

/**
 * The most scans one query may make in all, one after another: nests that run once are each
 * bounded, but a query can chain hundreds of them (`(SELECT count(*) FROM logs WHERE …) + …`,
 * a UNION ALL of 500 terms), each a full read of the table.
 */
export const MAX_SCANS = 16;

class Planner {
  readonly refusals: string[] = [];
  /** Every scan of the plan, in every nest. */
  scans = 0;
  constructor(
    private readonly children: ReadonlyMap<number, PlanRow[]>,
    private readonly ctx: CostContext,
  ) {}

  /** The widest nest under `parent` (its loops, and the correlated subqueries they run). */
  nest(parent: number): Nest {
    const own: Nest = { scans: [], fanouts: [] };
    const correlated: Nest[] = [];
    for (const row of this.children.get(parent) ?? []) {
      const loop = loopOf(row.detail, this.ctx);
      if (loop?.kind === "scan") {
        own.scans.push(loop.label);
        this.scans++;
      } else if (loop?.kind === "fanout") own.fanouts.push(loop.label);
      if (loop) continue; // a loop's children (MULTI-INDEX OR's terms) are part of it
      const inner = this.nest(row.id);
      if (row.detail.startsWith("CORRELATED ")) correlated.push(inner);
      else this.check(inner); // runs once: a nest of its own
    }
    return correlated.reduce(
      (acc, c) => ({ scans: [...acc.scans, ...c.scans], fanouts: [...acc.fanouts, ...c.fanouts] }),
      own,
    );
  }

  check(nest: Nest): void {
    if (nest.scans.length > 1)
      this.refusals.push(
        `the query would read a cross product: ${nest.scans.join(" inside ")} (a join with no equality on a unique key: join on id, or read one relation at a time)`,
      );
    else if (nest.fanouts.length > 1)
      this.refusals.push(
        `the query would read a cross product: ${nest.fanouts.join(" inside ")} (at most one json_each/json_tree per row: use json_tree for nested values)`,
      );
  }
}

/** Why the query is too costly to run, or undefined when its plan is within the bound. */
export function costRefusal(plan: readonly PlanRow[], ctx: CostContext): string | undefined {
  const planner = new Planner(childrenOf(plan), ctx);
  planner.check(planner.nest(0));
  if (planner.refusals.length === 0 && planner.scans > MAX_SCANS)
    return `the query would make ${planner.scans} scans (of tables, views, CTEs or subqueries) one after another; at most ${MAX_SCANS} in one query: split it, or read each relation once (GROUP BY, CASE) rather than once per term`;
  return planner.refusals[0];
}
