// A local stand-in for a vendor's Amazon S3 bucket and its SQS event queue, for `npm start`
// (served by scripts/mock-vendors.mjs): path-style S3 (`/s3/<bucket>/<key>`: PUT stores, GET and
// HEAD serve with an ETag and Range) and the SQS JSON protocol (ReceiveMessage,
// DeleteMessageBatch) of the queues that receive an S3 event for every PUT, as a bucket
// notification to SQS would: each bucket's events go to its own queue (`notifyQueue`; by
// default "audit-files"), named by the last segment of the QueueUrl. Requests must carry a SigV4
// Authorization for the dev access key.
import { createHash } from "node:crypto";

const objects = new Map(); // "<bucket>/<key>" → { body: Buffer, eTag }
const queues = new Map(); // queue name → [{ MessageId, ReceiptHandle, Body, visibleAt }]
const routes = new Map(); // bucket → the name of the queue its events go to
const DEFAULT_QUEUE = "audit-files";
let seq = 0;

/** The events of `bucket` go to the queue `queueName` (the bucket's notification to SQS). */
export function notifyQueue(bucket, queueName) {
  routes.set(bucket, queueName);
}

function queueNamed(name) {
  if (!queues.has(name)) queues.set(name, []);
  return queues.get(name);
}

const signedBy = (req, keyId) =>
  new RegExp(
    `^AWS4-HMAC-SHA256 Credential=${keyId}/\\d{8}/[a-z0-9-]+/(s3|sqs)/aws4_request, `,
  ).test(req.headers.authorization ?? "");

/** Stores an object and queues its S3 event (eventVersion 2.1, key URL-encoded, + for space). */
export function putObject(bucket, key, body) {
  const eTag = createHash("md5").update(body).digest("hex");
  objects.set(`${bucket}/${key}`, { body, eTag });
  const record = {
    eventVersion: "2.1",
    eventSource: "aws:s3",
    awsRegion: "us-east-1",
    eventTime: new Date().toISOString(),
    eventName: "ObjectCreated:Put",
    s3: {
      bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
      object: {
        key: encodeURIComponent(key).replace(/%2F/g, "/").replace(/%20/g, "+"),
        size: body.length,
        eTag,
        sequencer: String(++seq),
      },
    },
  };
  queueNamed(routes.get(bucket) ?? DEFAULT_QUEUE).push({
    MessageId: `mock-${seq}`,
    ReceiptHandle: `rh-${seq}`,
    Body: JSON.stringify({ Records: [record] }),
    visibleAt: 0,
  });
  return eTag;
}

function s3(req, res, path, body, keyId) {
  const [bucket, ...rest] = path.split("/");
  const key = decodeURIComponent(rest.join("/"));
  if (req.method === "PUT") {
    const eTag = putObject(bucket, key, body);
    res.writeHead(200, { etag: `"${eTag}"` });
    return res.end();
  }
  if (!signedBy(req, keyId)) {
    res.writeHead(403, { "content-type": "application/xml" });
    return res.end(
      "<Error><Code>AccessDenied</Code><Message>no SigV4 signature for the dev key</Message></Error>",
    );
  }
  const o = objects.get(`${bucket}/${key}`);
  if (!o) {
    res.writeHead(404, { "content-type": "application/xml" });
    return res.end("<Error><Code>NoSuchKey</Code></Error>");
  }
  if (req.headers["if-match"] && req.headers["if-match"] !== `"${o.eTag}"`) {
    res.writeHead(412);
    return res.end();
  }
  const from = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? "")?.[1] ?? 0);
  const part = o.body.subarray(from);
  res.writeHead(from ? 206 : 200, {
    etag: `"${o.eTag}"`,
    "content-length": part.length,
    ...(from ? { "content-range": `bytes ${from}-${o.body.length - 1}/${o.body.length}` } : {}),
  });
  res.end(req.method === "HEAD" ? undefined : part);
}

function sqs(req, res, body, keyId) {
  const json = (status, value) => {
    res.writeHead(status, { "content-type": "application/x-amz-json-1.0" });
    res.end(JSON.stringify(value));
  };
  if (!signedBy(req, keyId))
    return json(403, { __type: "AccessDenied", message: "no SigV4 signature" });
  const action = String(req.headers["x-amz-target"]).replace("AmazonSQS.", "");
  const input = JSON.parse(body.toString() || "{}");
  const queue = queueNamed(
    String(input.QueueUrl ?? "")
      .split("/")
      .pop() || DEFAULT_QUEUE,
  );
  const now = Date.now();
  if (action === "ReceiveMessage") {
    const visible = queue
      .filter((m) => m.visibleAt <= now)
      .slice(0, input.MaxNumberOfMessages ?? 1);
    for (const m of visible) m.visibleAt = now + 30_000; // the visibility timeout
    const Messages = visible.map(({ MessageId, ReceiptHandle, Body }) => ({
      MessageId,
      ReceiptHandle,
      Body,
    }));
    return json(200, Messages.length ? { Messages } : {});
  }
  if (action === "DeleteMessageBatch") {
    for (const e of input.Entries ?? []) {
      const i = queue.findIndex((m) => m.ReceiptHandle === e.ReceiptHandle);
      if (i >= 0) queue.splice(i, 1);
    }
    return json(200, { Successful: (input.Entries ?? []).map((e) => ({ Id: e.Id })), Failed: [] });
  }
  return json(400, { __type: "InvalidAction", message: `${action} is not mocked` });
}

/** Handles the request if it is for the mock S3 or SQS; false otherwise. */
export function handleS3(req, res, url, body, keyId) {
  if (url.pathname.startsWith("/s3/")) {
    s3(req, res, url.pathname.slice(4), body, keyId);
    return true;
  }
  if (String(req.headers["x-amz-target"] ?? "").startsWith("AmazonSQS.")) {
    sqs(req, res, body, keyId);
    return true;
  }
  return false;
}
