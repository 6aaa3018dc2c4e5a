// Cron Trigger schedules for `npm start`: wrangler dev never fires Cron Triggers by itself, so
// the start script fires each configured cron through /cdn-cgi/handler/scheduled when it is due.

const FIELDS = [
  { name: "minute", min: 0, max: 59, of: (d) => d.getUTCMinutes() },
  { name: "hour", min: 0, max: 23, of: (d) => d.getUTCHours() },
  { name: "day of month", min: 1, max: 31, of: (d) => d.getUTCDate() },
  { name: "month", min: 1, max: 12, of: (d) => d.getUTCMonth() + 1 },
  { name: "day of week", min: 0, max: 7, of: (d) => d.getUTCDay() },
];

/** The values one field allows: `*`, `n`, `a-b`, `*\/s`, `a-b/s`, and lists of them. */
function values(text, f) {
  const out = new Set();
  for (const part of text.split(",")) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!m) throw new Error(`cron ${f.name} "${text}" is not understood`);
    const from = m[1] === "*" ? f.min : Number(m[2]);
    const to = m[1] === "*" ? f.max : m[3] !== undefined ? Number(m[3]) : m[4] ? f.max : from;
    const step = m[4] ? Number(m[4]) : 1;
    if (from < f.min || to > f.max || from > to || step < 1)
      throw new Error(`cron ${f.name} "${text}" is out of range`);
    for (let v = from; v <= to; v += step) out.add(f.name === "day of week" && v === 7 ? 0 : v);
  }
  return out;
}

/** Parses a 5-field cron expression (UTC, as Cloudflare runs them). */
export function parseCron(expr) {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5) throw new Error(`cron "${expr}" must have 5 fields`);
  const sets = parts.map((p, i) => values(p, FIELDS[i]));
  // As in cron: when both day fields are restricted, either may match.
  const dayOr = parts[2] !== "*" && parts[4] !== "*";
  return (date) => {
    const hit = FIELDS.map((f, i) => sets[i].has(f.of(date)));
    const day = dayOr ? hit[2] || hit[4] : hit[2] && hit[4];
    return hit[0] && hit[1] && hit[3] && day;
  };
}

/** The crons of wrangler.toml's `[triggers] crons = [...]`. */
export function cronsOf(toml) {
  const m = /^\s*crons\s*=\s*\[([^\]]*)\]/m.exec(toml);
  if (!m) return [];
  return [...m[1].matchAll(/"([^"]+)"/g)].map((x) => x[1]);
}
