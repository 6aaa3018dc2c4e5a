#!/usr/bin/env node
// A stand-in for `wrangler` that records every call (one JSON line each in $FAKE_WRANGLER_DIR/
// calls.jsonl) and keeps what was "created" in $FAKE_WRANGLER_DIR/state.json, answering the
// list commands the deploy script asks in wrangler 4's output formats. No network.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.env.FAKE_WRANGLER_DIR;
const args = process.argv.slice(2);
appendFileSync(join(dir, "calls.jsonl"), `${JSON.stringify(args)}\n`);
const statePath = join(dir, "state.json");
const state = existsSync(statePath)
  ? JSON.parse(readFileSync(statePath, "utf8"))
  : { d1: [], buckets: [], queues: [], rules: [], objects: [], secrets: [], deployed: 0 };
const save = () => writeFileSync(statePath, JSON.stringify(state, null, 2));
const out = (s) => process.stdout.write(`${s}\n`);
const opt = (name) => args[args.indexOf(name) + 1];
const cmd = args
  .filter((a) => !a.startsWith("-"))
  .slice(0, 3)
  .join(" ");

if (args[0] === "whoami") whoami();
else if (cmd.startsWith("d1 list")) out(JSON.stringify(state.d1));
else if (cmd.startsWith("d1 create")) {
  const uuid = "5f1e3c2a-8b7d-4e6f-9a0b-1c2d3e4f5a6b";
  state.d1.push({ uuid, name: args[2] });
  out(
    `✅ Successfully created DB '${args[2]}'\n\n[[d1_databases]]\nbinding = "DB"\ndatabase_name = "${args[2]}"\ndatabase_id = "${uuid}"`,
  );
} else if (cmd.startsWith("d1 migrations apply")) out("✅ Migrations applied (or none to apply)");
else if (cmd === "r2 bucket list")
  out(
    `Listing buckets...\n${state.buckets.map((b) => `name:           ${b}\ncreation_date:  2026-11-23T00:00:00.000Z`).join("\n\n")}`,
  );
else if (cmd === "r2 bucket create") {
  state.buckets.push(args[3]);
  out(`Created bucket '${args[3]}'`);
} else if (cmd.startsWith("queues list"))
  out(
    `┌──────┬${"─".repeat(30)}┐\n│ id   │ name │\n${state.queues.map((q, i) => `│ q${i}   │ ${q} │`).join("\n")}\n└──────┘`,
  );
else if (cmd.startsWith("queues create")) {
  state.queues.push(args[2]);
  out(`Created queue ${args[2]}.`);
} else if (cmd === "r2 bucket notification" && args[3] === "list")
  out(
    `Fetching notification rules for bucket ${args[4]}...\n\n${state.rules
      .filter((r) => r.bucket === args[4])
      .map(
        (r) =>
          `rule_id:     ${r.id}\ncreated_at:  2026-11-23\nqueue_name:  ${r.queue}\nprefix:      ${r.prefix}\nsuffix:      \nevent_type:  PutObject,CompleteMultipartUpload,CopyObject,DeleteObject,LifecycleDeletion`,
      )
      .join("\n\n")}`,
  );
else if (cmd === "r2 bucket notification" && args[3] === "create") {
  state.rules.push({
    id: `rule-${state.rules.length}`,
    bucket: args[4],
    queue: opt("--queue"),
    prefix: opt("--prefix"),
  });
  out("Event notification rule created successfully!");
} else if (cmd === "r2 object get") {
  if (!state.objects.includes(args[3])) {
    process.stderr.write("The specified key does not exist.\n");
    process.exit(1);
  }
  out("{}");
} else if (cmd === "r2 object put") {
  state.objects.push(args[3]);
  out("Upload complete.");
} else if (args[0] === "deploy") {
  state.deployed++;
  out(
    "Uploaded auditflare (3.21 sec)\nDeployed auditflare triggers (0.52 sec)\n  https://auditflare.acme.workers.dev\n  schedule: * * * * *",
  );
} else if (cmd.startsWith("secret list"))
  out(JSON.stringify(state.secrets.map((name) => ({ name, type: "secret_text" }))));
else {
  process.stderr.write(`fake wrangler: unknown command ${args.join(" ")}\n`);
  process.exit(2);
}
save();

/**
 * wrangler 4.86's whoami: logged out ($FAKE_WRANGLER_LOGGED_OUT), the text form still exits 0
 * (only `--json` exits 1, printing {"loggedIn":false}).
 */
function whoami() {
  const json = args.includes("--json");
  if (process.env.FAKE_WRANGLER_LOGGED_OUT) {
    if (!json) {
      out("Getting User settings...\nYou are not authenticated. Please run `wrangler login`.");
      process.exit(0);
    }
    out(JSON.stringify({ loggedIn: false }));
    process.exit(1);
  }
  if (json)
    out(JSON.stringify({ loggedIn: true, authType: "OAuth Token", email: "dev@acme.test" }));
  else out("You are logged in with an OAuth Token, associated with the email dev@acme.test.");
}
