import { readSecret } from "./secrets";

/**
 * DEV_CLOCK_OFFSET_MS (DESIGN §6, issue 28): local only. With EMIT_LOCAL_NOTIFICATIONS=true it
 * moves the clock of the Worker's hour-based work (the hourly archive and tiering cron, POST
 * /v1/archive/run and rebuild) forward by that many milliseconds, so a worker restarted on the
 * same local state sees earlier hours as closed and older than hotDays without waiting.
 * Anywhere else it is ignored, with a warning. Ingest keeps the real clock (receivedAt).
 */
let warned = false;

export function clockOffset(env: object): number {
  const raw = readSecret(env, "DEV_CLOCK_OFFSET_MS");
  if (raw === undefined) return 0;
  const local = readSecret(env, "EMIT_LOCAL_NOTIFICATIONS") === "true";
  const ms = Number(raw);
  if (!local || !Number.isSafeInteger(ms) || ms < 0) {
    if (!warned) {
      warned = true;
      console.warn(
        local
          ? `DEV_CLOCK_OFFSET_MS=${raw} is not a whole number of milliseconds >= 0: ignored`
          : "DEV_CLOCK_OFFSET_MS is ignored: it is honoured only with EMIT_LOCAL_NOTIFICATIONS=true (local runs)",
      );
    }
    return 0;
  }
  return ms;
}

/** The time of the Worker's hour-based work: now, moved by DEV_CLOCK_OFFSET_MS where honoured. */
export const workerNow = (env: object, at = Date.now()) => at + clockOffset(env);
