import { app } from "./app";
import { enforceRetention, RETENTION_CRON } from "./retention";
import { handleQueue } from "./transports/bucket/consumer";
import { runDuePollers } from "./transports/poll/scheduler";

export default {
  fetch: app.fetch,
  queue: (batch, env) => handleQueue(batch, env),
  scheduled: async (controller, env) => {
    if (controller.cron === RETENTION_CRON) await enforceRetention(env, controller.scheduledTime);
    else await runDuePollers(env, controller.scheduledTime);
  },
} satisfies ExportedHandler<Env>;
