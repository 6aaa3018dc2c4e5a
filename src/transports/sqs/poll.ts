import type { AwsClient } from "aws4fetch";
import { loadSources } from "../../config";
import { describeError } from "../../lib/errors";
import { fetchBounded, LIMITS, type Limits } from "../../lib/outbound";
import type { Ports } from "../../ports";
import type { S3Config } from "../../vendors/fields";
import type { BucketSource } from "../bucket/kept";
import { handleS3Event } from "../bucket/s3-events";
import { s3Client } from "../bucket/stores";
import { type EachSourceOptions, eachSource } from "../each-source";

/**
 * SQS pull, for S3 sources that cannot expose an endpoint (`s3.sqsQueueUrl`): every minute the
 * cron long-polls the queue (AWS JSON protocol, SigV4 through aws4fetch), queues the objects of
 * each S3 event (sent to SQS directly or through an SNS topic), and deletes a message only after
 * its objects are queued: a failure leaves it to SQS's redelivery.
 */

type SqsSource = BucketSource & { s3: S3Config & { sqsQueueUrl: string } };

interface SqsMessage {
  MessageId: string;
  ReceiptHandle: string;
  Body: string;
}

/** Receives per cron run, at most (10 messages each); the first waits up to 10 s. */
const MAX_RECEIVES = 10;

async function sqs<T>(
  client: AwsClient,
  queueUrl: string,
  action: string,
  body: object,
  limits: Limits,
  signal?: AbortSignal,
): Promise<T> {
  const init = {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": `AmazonSQS.${action}`,
    },
    body: JSON.stringify({ QueueUrl: queueUrl, ...body }),
  };
  // Signed by aws4fetch, sent within the deadline and byte cap of an API call.
  const signed = await client.sign(`${new URL(queueUrl).origin}/`, init);
  const res = await fetchBounded(signed.url, { ...init, headers: signed.headers, signal }, limits);
  const text = res.text();
  if (!res.ok) {
    const e = (() => {
      try {
        return JSON.parse(text) as { __type?: string; message?: string };
      } catch {
        return { message: text.slice(0, 200) };
      }
    })();
    throw new Error(
      `SQS ${action} on ${queueUrl}: HTTP ${res.status} ${e.__type ?? ""} ${e.message ?? ""}`.trim(),
    );
  }
  return (text ? JSON.parse(text) : {}) as T;
}

/** The S3 event in a message body: the body itself, or the Message of an SNS envelope. */
function s3EventText(source: SqsSource, body: string): string | { error: string } {
  try {
    const v = JSON.parse(body) as { Type?: string; Message?: unknown; TopicArn?: string };
    if (v.Type !== "Notification" || typeof v.Message !== "string") return body;
    const topics = source.s3.topicArns;
    if (topics.length > 0 && !topics.includes(v.TopicArn ?? ""))
      return { error: `topic ${v.TopicArn} is not in this source's s3.topicArns` };
    return v.Message;
  } catch {
    return body;
  }
}

/** Handles one message; true when it may be deleted. */
async function handle(
  env: Env,
  ports: Ports,
  source: SqsSource,
  m: SqsMessage,
  now: number,
): Promise<boolean> {
  const id = `sqs ${m.MessageId}`;
  if (await ports.deliveries.seen(source.id, id)) return true;
  const where = { location: id, raw: m.Body };
  await handleS3Event(env, ports, source, s3EventText(source, m.Body), where, now);
  await ports.deliveries.record(source.id, id, now);
  return true;
}

/**
 * One source's queue: receive, handle each message alone, delete what was handled. Once
 * `signal` aborts (the source's deadline) its calls are aborted and it starts nothing new.
 */
async function pollQueue(
  env: Env,
  ports: Ports,
  source: SqsSource,
  now: number,
  limits: Limits,
  signal: AbortSignal,
): Promise<number> {
  const client = s3Client(env, source.s3, "sqs");
  const url = source.s3.sqsQueueUrl;
  let handled = 0;
  for (let i = 0; i < MAX_RECEIVES && !signal.aborted; i++) {
    const { Messages = [] } = await sqs<{ Messages?: SqsMessage[] }>(
      client,
      url,
      "ReceiveMessage",
      {
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: i === 0 ? 10 : 0,
      },
      limits,
      signal,
    );
    if (Messages.length === 0) break;
    const done: SqsMessage[] = [];
    for (const m of Messages) {
      if (signal.aborted) break;
      try {
        if (await handle(env, ports, source, m, now)) done.push(m);
      } catch (err) {
        // Not deleted: SQS delivers it again after its visibility timeout.
        await ports.health.recordError(
          source.id,
          `SQS message ${m.MessageId}: ${describeError(err)}`,
          now,
        );
      }
    }
    if (done.length > 0)
      await sqs(
        client,
        url,
        "DeleteMessageBatch",
        {
          Entries: done.map((m, n) => ({ Id: String(n), ReceiptHandle: m.ReceiptHandle })),
        },
        // not the source's signal: messages handled before its deadline are deleted still (within
        // the call's own deadline), not handled again after their visibility timeout
        limits,
      );
    handled += done.length;
  }
  return handled;
}

/**
 * Every S3 source with an SQS queue, each on its own: pulled concurrently (a few at once), each
 * within its own deadline (src/transports/each-source.ts), so a slow or failing queue holds back
 * no other. Each SQS call has the deadline and byte cap of `limits` (the first receive waits up
 * to 10 s of it).
 */
export async function pollSqsQueues(
  env: Env,
  ports: Ports,
  now = Date.now(),
  limits: Limits = LIMITS.api,
  opts: EachSourceOptions = {},
): Promise<Record<string, number | string>> {
  const sources = loadSources(env).filter((s): s is SqsSource => "s3" in s && !!s.s3?.sqsQueueUrl);
  return eachSource(
    sources,
    ports,
    now,
    (source, signal) => pollQueue(env, ports, source, now, limits, signal),
    opts,
  );
}
