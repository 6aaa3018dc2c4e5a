type Example = { title: string; sql: string };

/**
 * Example queries the explorer's SQL tab offers (GET /v1/sql/schema), one or more per view: the
 * ones below, and for a view none of them reads (a vendor added since, e.g. from a manifest) its
 * latest events. Time bounds are ISO literals, so the time index serves them
 * (src/sql/time-range.ts).
 */
export function sqlExamples(now: number, views: readonly string[]): Example[] {
  const written = writtenExamples(now);
  const covered = (view: string) => written.some((e) => new RegExp(`\\b${view}\\b`).test(e.sql));
  return [
    ...written,
    ...views
      .filter((v) => v !== "logs" && !covered(v))
      .map((v) => ({
        title: `${v}: the latest events`,
        sql: `SELECT eventTime, eventName, actor, srcIP, resources\nFROM ${v}\nORDER BY eventTime DESC\nLIMIT 50`,
      })),
  ];
}

function writtenExamples(now: number): Example[] {
  const since = new Date(now - 86_400_000).toISOString().slice(0, 19);
  return [
    {
      title: "All sources: events per source and hour, last 24 hours",
      sql: `SELECT sourceID, substr(eventTime, 1, 13) AS hour, count(*) AS events\nFROM logs\nWHERE eventTime >= '${since}'\nGROUP BY 1, 2\nORDER BY 2 DESC, 1`,
    },
    {
      title: "All sources: where requests came from (AS country and organization)",
      sql: `SELECT srcASCountryCode, srcASOrganization, count(*) AS events, count(DISTINCT srcIP) AS ips\nFROM logs\nWHERE eventTime >= '${since}'\nGROUP BY 1, 2\nORDER BY events DESC\nLIMIT 20`,
    },
    {
      title: "All sources: the busiest actors",
      sql: `SELECT coalesce(actor ->> '$.email', actor ->> '$.name', actor ->> '$.id') AS who, count(*) AS events, group_concat(DISTINCT sourceType) AS sources\nFROM logs\nWHERE eventTime >= '${since}'\nGROUP BY who\nORDER BY events DESC\nLIMIT 20`,
    },
    {
      title: "Turbopuffer: the latest events",
      sql: "SELECT eventTime, eventName, actor, srcIP, resources\nFROM turbopuffer_audit_logs\nORDER BY eventTime DESC\nLIMIT 50",
    },
    {
      title: "CircleCI: actions per event type",
      sql: "SELECT eventName, count(*) AS events, min(eventTime) AS first, max(eventTime) AS last\nFROM circleci_audit_logs\nGROUP BY eventName\nORDER BY events DESC",
    },
    {
      title: "Airkit: who changed what",
      sql: "SELECT eventTime, eventName, actor ->> '$.email' AS email, resources\nFROM airkit_audit_logs\nORDER BY eventTime DESC\nLIMIT 50",
    },
    {
      title: "PlanetScale: audit actions by actor",
      sql: "SELECT actor ->> '$.name' AS who, eventName, count(*) AS events\nFROM planetscale_logs\nGROUP BY 1, 2\nORDER BY events DESC\nLIMIT 50",
    },
    {
      title: "Turso: the latest events and where they came from",
      sql: "SELECT eventTime, eventName, actor, srcIP, srcASOrganization\nFROM turso_audit_logs\nORDER BY eventTime DESC\nLIMIT 50",
    },
    {
      title: "auditflare: who queried the collector",
      sql: `SELECT actor ->> '$.name' AS who, eventName, count(*) AS requests\nFROM auditflare_audit_logs\nWHERE eventTime >= '${since}'\nGROUP BY 1, 2\nORDER BY requests DESC`,
    },
  ];
}
