import { app } from "./app";
import { enforceRetention, RETENTION_CRON } from "./cron/retention";
import { runDuePollers } from "./cron/scheduler";
import { handleQueue } from "./queue/consumer";

export default {
  fetch: app.fetch,
  queue: (batch, env) => handleQueue(batch, env),
  scheduled: async (controller, env) => {
    if (controller.cron === RETENTION_CRON) await enforceRetention(env, controller.scheduledTime);
    else await runDuePollers(env, controller.scheduledTime);
  },
} satisfies ExportedHandler<Env>;
