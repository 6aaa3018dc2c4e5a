import { app } from "./app";
import { runDuePollers } from "./cron/scheduler";
import { handleQueue } from "./queue/consumer";

export default {
  fetch: app.fetch,
  queue: (batch, env) => handleQueue(batch, env),
  scheduled: async (controller, env) => {
    await runDuePollers(env, controller.scheduledTime);
  },
} satisfies ExportedHandler<Env>;
