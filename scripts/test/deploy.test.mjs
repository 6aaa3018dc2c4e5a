// `npm run deploy` against a fake `wrangler` on PATH (scripts/test/fake-wrangler.mjs): it cannot
// reach Cloudflare here, so this checks the calls the script makes, in order, and that a second
// run creates nothing.
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

const SOURCES = [
  { id: "turbopuffer", type: "turbopuffer", ingestTokenEnv: "TURBOPUFFER_INGEST_TOKEN" },
  { id: "circleci", type: "circleci", prefix: "circleci/" },
  { id: "airkit", type: "airkit", prefix: "airkit/" },
  {
    id: "circleci-prod",
    type: "circleci",
    s3: {
      bucket: "acme-audit",
      region: "us-east-1",
      prefix: "circleci/",
      accessKeyIdEnv: "CIRCLECI_S3_KEY_ID",
      secretAccessKeyEnv: "CIRCLECI_S3_SECRET",
      topicArns: ["arn:aws:sns:us-east-1:123456789012:audit-files"],
    },
  },
  { id: "planetscale", type: "planetscale", organization: "acme", tokenEnv: "PLANETSCALE_TOKEN" },
  {
    id: "tpuf-azure",
    type: "turbopuffer",
    azure: {
      account: "acmeaudit",
      container: "turbopuffer",
      prefix: "",
      accountKeyEnv: "TPUF_AZURE_KEY",
      eventGridSecretEnv: "TPUF_EVENT_GRID_SECRET",
      queueName: "audit-events",
    },
  },
];

function setup() {
  const dir = mkdtempSync(join(tmpdir(), "auditflare-deploy-"));
  copyFileSync(join(repo, "wrangler.toml"), join(dir, "wrangler.toml"));
  // The IP database deploy.mjs builds (into <root>/.ipdb) is the repository's own build cache:
  // built once per checkout (~15 s), then reused here and by the smoke and e2e servers.
  mkdirSync(join(repo, ".ipdb"), { recursive: true });
  symlinkSync(join(repo, ".ipdb"), join(dir, ".ipdb"));
  const bin = join(dir, "bin");
  spawnSync("mkdir", ["-p", bin]);
  const fake = join(bin, "wrangler");
  writeFileSync(
    fake,
    `#!/bin/sh\nexec "${process.execPath}" "${join(repo, "scripts/test/fake-wrangler.mjs")}" "$@"\n`,
  );
  chmodSync(fake, 0o755);
  return { dir, bin };
}

function deploy({ dir, bin }, extraEnv = {}) {
  writeFileSync(join(dir, "calls.jsonl"), "");
  const { WRANGLER: _, ...env } = process.env;
  const r = spawnSync(process.execPath, [join(repo, "scripts/deploy.mjs")], {
    encoding: "utf8",
    env: {
      ...env,
      PATH: `${bin}:${process.env.PATH}`,
      FAKE_WRANGLER_DIR: dir,
      AUDITFLARE_ROOT: dir,
      DEPLOY_SOURCES: JSON.stringify(SOURCES),
      ...extraEnv,
    },
  });
  const calls = readFileSync(join(dir, "calls.jsonl"), "utf8")
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l).join(" "));
  return { status: r.status, out: r.stdout + r.stderr, calls };
}

describe("npm run deploy (fake wrangler on PATH)", () => {
  it("creates what is missing, deploys, prints what to give each vendor; a second run creates nothing", () => {
    const ctx = setup();
    const first = deploy(ctx);
    expect(first.status, first.out).toBe(0);
    console.log(`deploy, first run, wrangler calls in order:\n  ${first.calls.join("\n  ")}`);
    const cfg = `--config ${join(ctx.dir, "wrangler.deploy.toml")}`;
    expect(first.calls).toEqual([
      "whoami --json",
      "d1 list --json",
      "d1 create auditflare",
      "r2 bucket list",
      "r2 bucket create auditflare-landing",
      "r2 bucket create auditflare-archive",
      "r2 bucket create auditflare-ipdb",
      "queues list",
      "queues create auditflare-bucket-events",
      "queues create auditflare-notifications",
      "queues create auditflare-bucket-events-dlq",
      "queues create auditflare-notifications-dlq",
      `d1 migrations apply DB --remote ${cfg}`,
      "r2 object get auditflare-ipdb/ipdb/current.json --remote --pipe",
      expect.stringMatching(
        /^r2 object put auditflare-ipdb\/ipdb\/v1\/.+\.bin\.gz --file .+ --content-type application\/octet-stream --remote$/,
      ),
      expect.stringMatching(
        /^r2 object put auditflare-ipdb\/ipdb\/current\.json --file .+ --content-type application\/json --remote$/,
      ),
      "r2 bucket notification list auditflare-landing",
      "r2 bucket notification create auditflare-landing --event-type object-create --event-type object-delete --queue auditflare-bucket-events --prefix circleci/",
      "r2 bucket notification create auditflare-landing --event-type object-create --event-type object-delete --queue auditflare-bucket-events --prefix airkit/",
      `deploy ${cfg}`,
      `secret list --format json ${cfg}`,
    ]);
    const config = readFileSync(join(ctx.dir, "wrangler.deploy.toml"), "utf8");
    expect(config).toContain('database_id = "5f1e3c2a-8b7d-4e6f-9a0b-1c2d3e4f5a6b"');
    expect(readFileSync(join(ctx.dir, "wrangler.toml"), "utf8")).toContain(
      'database_id = "00000000-0000-0000-0000-000000000000"',
    );
    expect(first.out).toContain("https://auditflare.acme.workers.dev/v1/ingest/turbopuffer");
    expect(first.out).toContain("files into R2 bucket auditflare-landing under circleci/");
    // Cloudflare Access: how to keep it off the vendors' paths, with the doc's link.
    expect(first.out).toContain("docs/access.md");
    for (const p of ["/v1/ingest/*", "/v1/sns/*", "/v1/gcs/*", "/v1/azure/*"])
      expect(first.out).toContain(p);
    expect(first.out).toMatch(/Bypass/);
    expect(first.out).toContain(
      "subscribe https://auditflare.acme.workers.dev/v1/sns/circleci-prod",
    );
    expect(first.out).toContain(
      'tpuf-azure (turbopuffer): Event Grid webhook https://auditflare.acme.workers.dev/v1/azure/tpuf-azure (delivery property "Authorization: Bearer <TPUF_EVENT_GRID_SECRET>"',
    );
    expect(first.out).toContain("polls Storage Queue audit-events of account acmeaudit");
    for (const s of [
      "QUERY_API_TOKEN",
      "ADMIN_API_TOKEN",
      "TURBOPUFFER_INGEST_TOKEN",
      "CIRCLECI_S3_KEY_ID",
      "CIRCLECI_S3_SECRET",
      "PLANETSCALE_TOKEN",
      "TPUF_AZURE_KEY",
      "TPUF_EVENT_GRID_SECRET",
    ])
      expect(first.out).toContain(`npx wrangler secret put ${s} --config wrangler.deploy.toml`);

    const second = deploy(ctx);
    expect(second.status, second.out).toBe(0);
    expect(second.calls.filter((c) => / create | put /.test(` ${c} `))).toEqual([]);
    expect(second.calls).toContain(`deploy ${cfg}`);
    expect(readFileSync(join(ctx.dir, "wrangler.deploy.toml"), "utf8")).toBe(config);
    expect(second.out).toContain("wrangler.deploy.toml is up to date");
  }, 120_000);

  it("stops with the login hint when wrangler is not logged in", () => {
    const ctx = setup();
    writeFileSync(join(ctx.bin, "wrangler"), "#!/bin/sh\necho 'Not logged in' >&2\nexit 1\n");
    const r = deploy(ctx);
    expect(r.status).toBe(1);
    expect(r.out).toContain("run `npx wrangler login` first");
  });

  it("stops with the login hint when whoami exits 0 but says not authenticated (wrangler 4.86)", () => {
    const ctx = setup();
    const r = deploy(ctx, { CLOUDFLARE_API_TOKEN: "", FAKE_WRANGLER_LOGGED_OUT: "1" });
    expect(r.status, r.out).toBe(1);
    expect(r.out).toContain("run `npx wrangler login` first");
    expect(r.calls.filter((c) => !c.startsWith("whoami"))).toEqual([]);
  });

  it("with CLOUDFLARE_API_TOKEN set but refused, says the token is the problem", () => {
    const ctx = setup();
    const r = deploy(ctx, { CLOUDFLARE_API_TOKEN: "expired", FAKE_WRANGLER_LOGGED_OUT: "1" });
    expect(r.status, r.out).toBe(1);
    expect(r.out).toContain("CLOUDFLARE_API_TOKEN is set but Cloudflare does not accept it");
    expect(r.out).not.toContain("npx wrangler login` first");
    expect(r.calls.filter((c) => !c.startsWith("whoami"))).toEqual([]);
  });
});
