import { defineConfig } from "drizzle-kit";

// `npm run db:generate` writes the migration for a change to src/store/schema.ts into
// migrations/ (applied by wrangler: `wrangler d1 migrations apply`); `npm run lint` checks that
// nothing is left to generate (scripts/check-migrations.mjs).
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/store/schema.ts",
  out: "./migrations",
});
