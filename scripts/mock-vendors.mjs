#!/usr/bin/env node
// Local stand-ins for the polled vendors' APIs, so `npm start` polls real-shaped data with no
// vendor account. Every vendor folder with a mock (src/vendors/<vendor>/mock.ts) is served at
// its prefix on 127.0.0.1:8788: a few hundred generated events, newest first, with the vendor's
// real paging and the dev tokens of .dev.vars.example, and a new event every 20 seconds.
import { existsSync, readdirSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { importWorkerCode, root } from "./lib/import-worker-code.mjs";

const port = Number(process.env.MOCK_VENDORS_PORT ?? 8788);
const vendors = readdirSync(join(root, "src", "vendors"), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(root, "src", "vendors", d.name, "mock.ts")))
  .map((d) => d.name);
const mod = await importWorkerCode(
  vendors.map((v) => `export { mock as ${v} } from "./src/vendors/${v}/mock.ts";`).join("\n"),
);
const mocks = vendors.map((v) => mod[v]);

const start = Date.now();
for (const m of mocks) for (let i = 300; i > 0; i--) m.add(start - i * 37_000);
setInterval(() => {
  for (const m of mocks) m.add(Date.now());
}, 20_000).unref();

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", `http://127.0.0.1:${port}`);
  const send = ({ status, body }) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  for (const m of mocks) {
    if (!url.pathname.startsWith(m.prefix)) continue;
    const answer = m.handle(
      url.pathname.slice(m.prefix.length),
      url.searchParams,
      req.headers.authorization,
    );
    if (answer) return send(answer);
  }
  send({ status: 404, body: { code: "not_found", message: `no mock for ${url.pathname}` } });
});

server.listen(port, "127.0.0.1", () =>
  console.log(`[mock-vendors] ${vendors.join(", ")} mocks on http://127.0.0.1:${port}`),
);
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => server.close(() => process.exit(0)));
