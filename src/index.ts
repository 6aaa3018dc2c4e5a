import { handleNotificationQueue, queueAlerts } from "./alerts/notify";
import { app } from "./app";
import { runArchive } from "./archive/job";
import { workerNow } from "./lib/clock";
import { readSecret } from "./lib/secrets";
import { sweepClosedWindows } from "./pipeline/correlate";
import { runScheduledRules } from "./pipeline/scheduled";
import { enforceRetention, RETENTION_CRON } from "./retention";
import { purgeExpiredOauthKv } from "./store/oauth-kv";
import { pollAzureQueues } from "./transports/azure/queue-poll";
import { handleQueue } from "./transports/bucket/consumer";
import { runDuePollers } from "./transports/poll/scheduler";
import { pollSqsQueues } from "./transports/sqs/poll";
import { portsOf } from "./wiring";

/**
 * The entry wiring: fetch (src/app.ts), queues and cron. It builds the ports (src/store/ports.ts)
 * and hands them to the transports, which never import the store.
 */
export default {
  fetch: app.fetch,
  queue: (batch, env) =>
    batch.queue.startsWith("auditflare-notifications")
      ? handleNotificationQueue(batch, env)
      : handleQueue(batch, env, portsOf(env)),
  scheduled: async (controller, env) => {
    if (controller.cron === RETENTION_CRON) {
      // The archive first: retention must find the hours it may delete already archived.
      // ARCHIVE_THROUGH_NOW (npm start's .dev.vars): the open hour too, so a local run shows some.
      const throughNow = readSecret(env, "ARCHIVE_THROUGH_NOW") === "true";
      // DEV_CLOCK_OFFSET_MS (local only) moves this clock forward: src/lib/clock.ts
      const now = workerNow(env, controller.scheduledTime);
      const runs = await Promise.allSettled([
        runArchive(env, now, { throughNow }),
        // The MCP server's OAuth records (grants, tokens, codes) whose expiration passed.
        purgeExpiredOauthKv(env.DB, controller.scheduledTime),
      ]);
      for (const r of runs) if (r.status === "rejected") console.error("cron archive:", r.reason);
      await enforceRetention(env, now);
    } else {
      // Each on its own: one failing never keeps the other from running.
      const runs = await Promise.allSettled([
        // The outbox at once too: an update waiting for its minute is claimed at the tick's
        // start, so its next one is due a minute later, not after the scheduled rules (up to
        // 25 s into the tick: the next tick's claim would come short of the minute and wait
        // another). Concurrent sweeps claim each version once.
        queueAlerts(env),
        runDuePollers(env, portsOf(env), controller.scheduledTime),
        pollSqsQueues(env, portsOf(env), controller.scheduledTime),
        pollAzureQueues(env, portsOf(env), controller.scheduledTime),
        // Upper-bound correlation windows that closed and run the scheduled rules that are
        // due, then the outbox (their alerts too).
        Promise.allSettled([
          sweepClosedWindows(env, controller.scheduledTime),
          runScheduledRules(env, controller.scheduledTime),
        ]).then(async (done) => {
          for (const r of done) if (r.status === "rejected") console.error("cron:", r.reason);
          await queueAlerts(env);
        }),
      ]);
      for (const r of runs) if (r.status === "rejected") console.error("cron:", r.reason);
    }
  },
} satisfies ExportedHandler<Env>;
