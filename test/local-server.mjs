// A local HTTP server on 127.0.0.1 (a free port) for Node-side tests that need a real endpoint
// (e.g. an OAuth token endpoint): each request is recorded and answered by `handler`.
import { createServer } from "node:http";

export function startServer(handler) {
  const requests = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const r = {
        method: req.method,
        path: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(r);
      const { status = 200, headers = {}, body = "" } = await handler(r);
      res.writeHead(status, headers);
      res.end(body);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        requests,
        stop: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}
