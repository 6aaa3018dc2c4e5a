/**
 * Fixture-shaped events for the benchmarks (bench/*.bench.ts and scripts/bench-*.mjs): the
 * fields and sizes of the vendors' real events (src/vendors/<vendor>/fixtures/), numbered.
 */
export function benchEvent(type: string, i: number): Record<string, unknown> {
  const t = Date.UTC(2026, 7, 1) + i * 37;
  if (type === "circleci")
    return {
      id: `5e0d2c1b-aaaa-4bbb-8ccc-${String(i).padStart(12, "0")}`,
      version: 1,
      action: ["workflow.job.start", "context.secrets.accessed", "project.settings.update"][i % 3],
      actor: {
        id: `8a1f33e0-user-4c2b-9d11-${String(i % 5000).padStart(12, "0")}`,
        type: "user",
        name: `user-${i % 5000}`,
      },
      target: {
        id: `0b7e9d52-proj-4f60-8a77-${String(i % 300).padStart(12, "0")}`,
        type: "project",
        name: `project-${i % 300}`,
      },
      scope: { id: "6f2c0c4e-9b1a-4f55-8d7e-3a0b2e9c1d44", type: "account", name: "acme" },
      payload: {
        job_name: `build-${i % 40}`,
        workflow_id: `c3d4e5f6-${String(i).padStart(8, "0")}`,
      },
      occurred_at: new Date(t).toISOString(),
      metadata: { source: i % 2 ? "api" : "web-ui" },
      success: i % 11 !== 0,
      request: { id: `r-${String(i).padStart(16, "0")}`, ip_address: `198.51.100.${i % 250}` },
    };
  return {
    action: "session-created",
    occurred_at: new Date(t).toISOString(),
    actor: {
      type: "user",
      id: `user_${String(i).padStart(26, "0")}`,
      name: `user${i % 5000}@example.com`,
    },
    targets: [
      {
        type: "session",
        id: `session_${String(i).padStart(26, "0")}`,
        name: `session ${i}`,
        metadata: { user_agent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)" },
      },
    ],
    context: { location: `203.0.113.${i % 250}` },
    metadata: { session_id: `session_${String(i).padStart(26, "0")}` },
  };
}
