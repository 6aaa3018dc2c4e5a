// Azurite (the `azurite` devDependency, Microsoft's Azure Storage emulator) for `npm start` and
// the tests: started on loopback with its Blob service on one port and its Queue service on the
// next (the path-style layout an Azure source's `endpoint` derives the queue from), and a small
// client for the setup calls (container, blob, queue, message), authorized by an account SAS
// made with Node's crypto. Nothing here is used by the Worker.
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Azurite's built-in account and key (public, documented by Microsoft). */
export const DEV_ACCOUNT = "devstoreaccount1";
export const DEV_KEY =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
const VERSION = "2023-11-03";

/** Whether `port` is free on 127.0.0.1. */
export function portFree(port) {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

function anyPort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** A free port whose next port is free too (blob, queue), and one more (table). */
export async function freePorts() {
  for (let i = 0; i < 50; i++) {
    const blob = await anyPort();
    if (blob < 65000 && (await portFree(blob + 1))) {
      let table = await anyPort();
      while (table === blob || table === blob + 1) table = await anyPort();
      return { blob, queue: blob + 1, table };
    }
  }
  throw new Error("no two consecutive free ports on 127.0.0.1");
}

/**
 * Starts Azurite on 127.0.0.1 (`ports` default: free ones), keeping its data under `location`
 * (default: memory only). Resolves once both services listen; `stop()` ends the process.
 */
export async function startAzurite({ ports, location, quiet = true } = {}) {
  const p = ports ?? (await freePorts());
  const main = createRequire(import.meta.url).resolve("azurite/dist/src/azurite.js");
  const args = [
    main,
    "--blobHost",
    "127.0.0.1",
    "--blobPort",
    String(p.blob),
    "--queueHost",
    "127.0.0.1",
    "--queuePort",
    String(p.queue),
    "--tableHost",
    "127.0.0.1",
    "--tablePort",
    String(p.table),
    "--skipApiVersionCheck",
    "--loose",
    "--disableTelemetry",
    ...(quiet ? ["--silent"] : []),
    ...(location ? ["--location", location] : ["--inMemoryPersistence"]),
  ];
  // In memory, it writes nothing; its working folder is a temporary one all the same.
  const cwd = location ?? mkdtempSync(join(tmpdir(), "azurite-"));
  const child = spawn(process.execPath, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => done(new Error(`Azurite did not start in 30 s:\n${output}`)),
      30_000,
    );
    const done = (err) => {
      clearTimeout(timer);
      err ? reject(err) : resolve();
    };
    const seen = (chunk) => {
      output += chunk;
      if (
        /Blob service is successfully listening/.test(output) &&
        /Queue service is successfully listening/.test(output)
      )
        done();
    };
    child.stdout.on("data", seen);
    child.stderr.on("data", seen);
    child.once("exit", (code) => done(new Error(`Azurite exited (${code}):\n${output}`)));
  });
  child.removeAllListeners("exit");
  return {
    child,
    pid: child.pid,
    ports: p,
    blob: `http://127.0.0.1:${p.blob}/${DEV_ACCOUNT}`,
    queue: `http://127.0.0.1:${p.queue}/${DEV_ACCOUNT}`,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** An account SAS signed with `key` (sv 2020-12-06 and later: the encryption-scope line too). */
function accountSas(account, key, { services, resourceTypes, permissions, version = VERSION }) {
  const expiry = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, "Z");
  const text = [
    account,
    permissions,
    services,
    resourceTypes,
    "",
    expiry,
    "",
    "https,http",
    version,
    "",
    "",
  ].join("\n");
  const sig = createHmac("sha256", Buffer.from(key, "base64"))
    .update(text, "utf8")
    .digest("base64");
  return new URLSearchParams({
    sv: version,
    ss: services,
    srt: resourceTypes,
    sp: permissions,
    se: expiry,
    spr: "https,http",
    sig,
  }).toString();
}

/**
 * Setup calls to an Azurite (or Azure) account, authorized by an account SAS made with its key
 * (so this helper needs no Shared Key signer of its own: the Worker's is the one under test).
 */
export function azuriteClient({ blob, queue, account = DEV_ACCOUNT, key = DEV_KEY }) {
  const sas = accountSas(account, key, {
    services: "bq",
    resourceTypes: "sco",
    permissions: "rwdlacup",
  });
  async function call(method, url, body, extra = {}) {
    const bytes = body === undefined ? undefined : Buffer.from(body);
    const headers = { "x-ms-version": VERSION, ...extra };
    const signed = `${url}${url.includes("?") ? "&" : "?"}${sas}`;
    const res = await fetch(signed, { method, headers, body: bytes });
    const text = await res.text();
    if (!res.ok && res.status !== 409)
      throw new Error(`${method} ${url}: HTTP ${res.status} ${text.slice(0, 300)}`);
    return { status: res.status, headers: res.headers, text };
  }
  const path = (name) => name.split("/").map(encodeURIComponent).join("/");
  return {
    createContainer: (c) => call("PUT", `${blob}/${c}?restype=container`),
    /** Writes a block blob; resolves to its ETag without quotes. */
    putBlob: async (c, name, body) =>
      (
        await call("PUT", `${blob}/${c}/${path(name)}`, body, { "x-ms-blob-type": "BlockBlob" })
      ).headers
        .get("etag")
        .replace(/"/g, ""),
    deleteBlob: (c, name) => call("DELETE", `${blob}/${c}/${path(name)}`),
    createQueue: (q) => call("PUT", `${queue}/${q}`),
    /** Puts a message (its text as given: base64 it first for Event Grid's encoding). */
    putMessage: (q, text) =>
      call(
        "POST",
        `${queue}/${q}/messages`,
        `<QueueMessage><MessageText>${escapeXml(text)}</MessageText></QueueMessage>`,
      ),
    /** The messages visible now, without taking them (Peek Messages). */
    peek: async (q) => {
      const { text } = await call("GET", `${queue}/${q}/messages?peekonly=true&numofmessages=32`);
      return [...text.matchAll(/<MessageText>([\s\S]*?)<\/MessageText>/g)].map((m) =>
        unescapeXml(m[1]),
      );
    },
    /** The messages in the queue, visible or not (Get Queue Metadata's approximate count). */
    count: async (q) =>
      Number(
        (await call("GET", `${queue}/${q}?comp=metadata`)).headers.get(
          "x-ms-approximate-messages-count",
        ),
      ),
    /** An account SAS (services e.g. "bq", resource types "sco", permissions "rp"), valid an hour. */
    accountSas: ({ services = "bq", resourceTypes = "sco", permissions = "rp", version } = {}) =>
      accountSas(account, key, { services, resourceTypes, permissions, version }),
  };
}

const escapeXml = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const unescapeXml = (s) =>
  s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
