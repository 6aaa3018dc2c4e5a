import { describe, expect, it } from "vitest";
import type { Pending, StatePorts, Subscription, WholeEntry } from "../../src/ports";

/**
 * One suite of behaviours every implementation of the ports (src/ports.ts) must show, run once
 * per backend (test/store/ports.test.ts runs it against D1's `d1Ports`), as workers-oauth-provider
 * does for its storage. The suite reaches state only through the ports; what a port only writes
 * (quarantine, health) each backend reads back through its `read` (its own storage).
 */

/** A source's counters and health, as the backend keeps them. */
export interface KeptStats {
  received: number;
  inserted: number;
  duplicates: number;
  quarantined: number;
  skipped: number;
  lastError: string | null;
}

/** One whole input kept aside, as the backend keeps it. */
export interface KeptEntry {
  stage: string;
  errorCode: string;
  error: string;
  location: string | null;
  status: string;
  /** How often this input was kept (1 the first time). */
  seen: number;
}

export interface PortsBackend {
  ports: StatePorts;
  /** Commits the statements a port built (`chunkDone`, `progress`, …), as ingest does. */
  commit(pending: Pending[]): Promise<void>;
  read: {
    stats(sourceID: string): Promise<KeptStats>;
    quarantine(sourceID: string): Promise<KeptEntry[]>;
    subscriptions(sourceID: string): Promise<Subscription[]>;
  };
}

let n = 0;
/** A source id no other test uses (backends may share storage between tests). */
const fresh = (what: string) => `conf-${what}-${Date.now().toString(36)}-${n++}`;

const T = Date.UTC(2026, 5, 1);

const entry = (sourceID: string, over: Partial<WholeEntry> = {}): WholeEntry => ({
  sourceID,
  sourceType: "turbopuffer",
  stage: "parse",
  errorCode: "invalid_json",
  error: "Unexpected end of JSON input",
  location: "line 1",
  raw: '{"action": ',
  contentType: "application/json",
  ...over,
});

const addsUp = (s: KeptStats) => expect(s.received).toBe(s.inserted + s.duplicates + s.quarantined);

export function describePortsConformance(
  name: string,
  makeBackend: () => PortsBackend | Promise<PortsBackend>,
): void {
  describe(`ports conformance: ${name}`, () => {
    describe("quarantine", () => {
      it("keeps a whole input once: seen again, it is the same entry and counts as a duplicate", async () => {
        const b = await makeBackend();
        const src = fresh("q");
        await b.ports.quarantine.keepWhole(entry(src), T);
        await b.ports.quarantine.keepWhole(entry(src), T + 1000);
        const kept = await b.read.quarantine(src);
        expect(kept).toHaveLength(1);
        expect(kept[0]).toMatchObject({
          stage: "parse",
          errorCode: "invalid_json",
          error: "Unexpected end of JSON input",
          location: "line 1",
          status: "pending",
          seen: 2,
        });
        const s = await b.read.stats(src);
        expect(s).toMatchObject({ received: 2, inserted: 0, duplicates: 1, quarantined: 1 });
        addsUp(s);
      });

      it("a different input is a second entry, counted as quarantined", async () => {
        const b = await makeBackend();
        const src = fresh("q2");
        await b.ports.quarantine.keepWhole(entry(src), T);
        await b.ports.quarantine.keepWhole(entry(src, { raw: '{"other": ' }), T);
        expect(await b.read.quarantine(src)).toHaveLength(2);
        const s = await b.read.stats(src);
        expect(s).toMatchObject({ received: 2, duplicates: 0, quarantined: 2 });
        addsUp(s);
      });

      it("an identity makes a later failure of the same input the same entry, with the new error", async () => {
        const b = await makeBackend();
        const src = fresh("qid");
        const identity = "bucket/key.json@etag1";
        await b.ports.quarantine.keepWhole(entry(src, { identity }), T);
        await b.ports.quarantine.keepWhole(
          entry(src, { identity, raw: "changed", error: "a second error" }),
          T + 1000,
        );
        const kept = await b.read.quarantine(src);
        expect(kept).toHaveLength(1);
        expect(kept[0]).toMatchObject({ error: "a second error", seen: 2, status: "pending" });
        expect(await b.read.stats(src)).toMatchObject({
          received: 2,
          quarantined: 1,
          duplicates: 1,
        });
      });

      it("`health` puts the failure in the source's last error; without it, health is untouched", async () => {
        const b = await makeBackend();
        const quiet = fresh("qquiet");
        await b.ports.quarantine.keepWhole(entry(quiet), T);
        expect((await b.read.stats(quiet)).lastError).toBeNull();
        const loud = fresh("qloud");
        await b.ports.quarantine.keepWhole(entry(loud), T, true);
        expect((await b.read.stats(loud)).lastError).toBe(
          "invalid_json: Unexpected end of JSON input",
        );
      });
    });

    describe("health", () => {
      it("skipped counts add up and leave the other counters alone", async () => {
        const b = await makeBackend();
        const src = fresh("h");
        await b.ports.health.countSkipped(src, 2);
        await b.ports.health.countSkipped(src, 3);
        const s = await b.read.stats(src);
        expect(s).toMatchObject({ skipped: 5, received: 0, inserted: 0, quarantined: 0 });
        addsUp(s);
      });

      it("an error is the source's last error, counting nothing", async () => {
        const b = await makeBackend();
        const src = fresh("herr");
        await b.ports.health.recordError(src, "first", T);
        await b.ports.health.recordError(src, "HTTP 503 from the vendor", T + 1);
        expect(await b.read.stats(src)).toMatchObject({
          lastError: "HTTP 503 from the vendor",
          received: 0,
          skipped: 0,
        });
      });

      it("counters add up across quarantine, skips and errors of one source", async () => {
        const b = await makeBackend();
        const src = fresh("hsum");
        await b.ports.quarantine.keepWhole(entry(src), T);
        await b.ports.quarantine.keepWhole(entry(src, { raw: "b" }), T);
        await b.ports.quarantine.keepWhole(entry(src, { raw: "b" }), T);
        await b.ports.health.countSkipped(src, 4);
        await b.ports.health.recordError(src, "boom", T);
        const s = await b.read.stats(src);
        expect(s).toMatchObject({ received: 3, quarantined: 2, duplicates: 1, skipped: 4 });
        addsUp(s);
      });
    });

    describe("deliveries", () => {
      it("dedups a message: the first record is true, the second false; seen follows", async () => {
        const b = await makeBackend();
        const src = fresh("d");
        expect(await b.ports.deliveries.seen(src, "m-1")).toBe(false);
        expect(await b.ports.deliveries.record(src, "m-1", T)).toBe(true);
        expect(await b.ports.deliveries.record(src, "m-1", T + 1)).toBe(false);
        expect(await b.ports.deliveries.seen(src, "m-1")).toBe(true);
        expect(await b.ports.deliveries.seen(src, "m-2")).toBe(false);
      });

      it("a message id is per source", async () => {
        const b = await makeBackend();
        const [one, two] = [fresh("d1"), fresh("d2")];
        expect(await b.ports.deliveries.record(one, "same", T)).toBe(true);
        expect(await b.ports.deliveries.seen(two, "same")).toBe(false);
        expect(await b.ports.deliveries.record(two, "same", T)).toBe(true);
      });

      it("of concurrent records of one message, exactly one is true", async () => {
        const b = await makeBackend();
        const src = fresh("dconc");
        const answers = await Promise.all(
          Array.from({ length: 8 }, () => b.ports.deliveries.record(src, "m", T)),
        );
        expect(answers.filter(Boolean)).toHaveLength(1);
      });

      it("saves a subscription's state; a later save without its ARN keeps the ARN", async () => {
        const b = await makeBackend();
        const src = fresh("sub");
        const topicArn = "arn:aws:sns:us-east-1:123456789012:audit";
        const base = { sourceID: src, topicArn, lastError: null };
        await b.ports.deliveries.saveSubscription({
          ...base,
          status: "pending",
          subscriptionArn: null,
          updatedAt: T,
        });
        await b.ports.deliveries.saveSubscription({
          ...base,
          status: "confirmed",
          subscriptionArn: `${topicArn}:sub-1`,
          updatedAt: T + 1,
        });
        await b.ports.deliveries.saveSubscription({
          ...base,
          status: "unsubscribed",
          subscriptionArn: null,
          updatedAt: T + 2,
          lastError: "gone",
        });
        expect(await b.read.subscriptions(src)).toEqual([
          {
            ...base,
            status: "unsubscribed",
            subscriptionArn: `${topicArn}:sub-1`,
            updatedAt: T + 2,
            lastError: "gone",
          },
        ]);
      });
    });

    describe("object progress", () => {
      const object = (what: string) => ({
        bucket: "audit",
        key: `${fresh(what)}/2026/06/01/a.json.gz`,
        eTag: "etag-1",
      });

      it("an object never seen has no progress; start creates it and counts invocations", async () => {
        const b = await makeBackend();
        const o = object("o");
        const src = fresh("osrc");
        expect(await b.ports.objects.get(o)).toBeNull();
        await b.ports.objects.start({ ...o, sourceID: src, size: 100 }, T);
        expect(await b.ports.objects.get(o)).toMatchObject({
          ...o,
          sourceID: src,
          status: "in_progress",
          recordsCommitted: 0,
          invocations: 1,
          resume: null,
        });
        await b.ports.objects.start({ ...o, sourceID: src, size: 100 }, T + 1);
        expect((await b.ports.objects.get(o))?.invocations).toBe(2);
        expect(await b.ports.objects.get({ ...o, eTag: "etag-2" })).toBeNull();
      });

      it("a committed chunk sets progress and where to resume; the last one clears it", async () => {
        const b = await makeBackend();
        const o = object("chunks");
        await b.ports.objects.start({ ...o, sourceID: "s", size: null }, T);
        const chunk = { received: 10, quarantined: 1, framing: "ndjson", now: T + 1 };
        await b.commit([
          b.ports.objects.chunkDone(o, {
            ...chunk,
            recordsCommitted: 10,
            done: false,
            resume: "r1",
          }),
        ]);
        expect(await b.ports.objects.get(o)).toMatchObject({
          status: "in_progress",
          recordsCommitted: 10,
          resume: "r1",
        });
        // Without a resume point, the last one stands.
        await b.commit([
          b.ports.objects.chunkDone(o, { ...chunk, recordsCommitted: 20, done: false }),
        ]);
        expect(await b.ports.objects.get(o)).toMatchObject({ recordsCommitted: 20, resume: "r1" });
        await b.commit([
          b.ports.objects.chunkDone(o, {
            ...chunk,
            recordsCommitted: 25,
            done: true,
            resume: "r9",
          }),
        ]);
        expect(await b.ports.objects.get(o)).toMatchObject({
          status: "done",
          recordsCommitted: 25,
          resume: null,
        });
      });

      it("skipping counts the object once in the source's skipped", async () => {
        const b = await makeBackend();
        const o = { ...object("skip"), sourceID: fresh("oskip") };
        await b.ports.objects.skip(o, T);
        await b.ports.objects.skip(o, T + 1);
        expect((await b.ports.objects.get(o))?.status).toBe("skipped");
        expect((await b.read.stats(o.sourceID)).skipped).toBe(1);
      });

      it("finish and errors: a failed object keeps its error, and clearFailed lets it start over", async () => {
        const b = await makeBackend();
        const o = { ...object("fail"), sourceID: "s" };
        await b.ports.objects.start({ ...o, size: 1 }, T);
        await b.commit([
          b.ports.objects.chunkDone(o, {
            recordsCommitted: 5,
            received: 5,
            quarantined: 0,
            framing: null,
            done: false,
            now: T,
            resume: "r5",
          }),
        ]);
        await b.ports.objects.recordError(o, "timeout", T + 1);
        expect((await b.ports.objects.get(o))?.lastError).toBe("timeout");
        await b.ports.objects.finish(o, "failed", T + 2, "gave up");
        expect(await b.ports.objects.get(o)).toMatchObject({
          status: "failed",
          lastError: "gave up",
          resume: null,
        });
        await b.ports.objects.clearFailed(o.key, o.eTag);
        expect(await b.ports.objects.get(o)).toBeNull();
      });

      it("clearFailed leaves a finished object alone; finish creates an object never started", async () => {
        const b = await makeBackend();
        const o = { ...object("done"), sourceID: "s" };
        await b.ports.objects.finish(o, "done", T);
        expect(await b.ports.objects.get(o)).toMatchObject({ status: "done", lastError: null });
        await b.ports.objects.clearFailed(o.key, o.eTag);
        expect((await b.ports.objects.get(o))?.status).toBe("done");
      });
    });

    describe("cursors", () => {
      const run = (now: number, ok = true) => ({
        nextDueAt: now + 60_000,
        ok,
        status: ok ? "ok" : "http_503",
        error: ok ? null : "HTTP 503",
        now,
      });

      it("a new source's state is empty and due", async () => {
        const b = await makeBackend();
        const src = fresh("c");
        expect(await b.ports.cursors.load(src)).toMatchObject({
          sourceID: src,
          leaseOwner: null,
          failures: 0,
          highWaterId: null,
          windowNext: null,
          requests: 0,
        });
        expect(await b.ports.cursors.acquireLease(src, "a", T)).toBe(true);
      });

      it("the lease is exclusive until released, also when taken at once", async () => {
        const b = await makeBackend();
        const src = fresh("lease");
        await b.ports.cursors.load(src);
        const owners = ["a", "b", "c", "d", "e"];
        const taken = await Promise.all(owners.map((o) => b.ports.cursors.acquireLease(src, o, T)));
        expect(taken.filter(Boolean)).toHaveLength(1);
        const owner = owners[taken.indexOf(true)] as string;
        expect((await b.ports.cursors.load(src)).leaseOwner).toBe(owner);
        expect(await b.ports.cursors.acquireLease(src, "late", T + 1)).toBe(false);
        // Another owner's end of run does not release it.
        await b.ports.cursors.finishRun(src, "late", run(T + 1));
        expect((await b.ports.cursors.load(src)).leaseOwner).toBe(owner);
        await b.ports.cursors.finishRun(src, owner, run(T + 2));
        const state = await b.ports.cursors.load(src);
        expect(state).toMatchObject({ leaseOwner: null, nextDueAt: T + 2 + 60_000 });
        // Released, the source is leased again once due, not before.
        expect(await b.ports.cursors.acquireLease(src, "next", T + 3)).toBe(false);
        expect(await b.ports.cursors.acquireLease(src, "next", T + 2 + 60_000)).toBe(true);
      });

      it("a crashed run's lease expires: an hour later another owner takes it", async () => {
        const b = await makeBackend();
        const src = fresh("crash");
        await b.ports.cursors.load(src);
        expect(await b.ports.cursors.acquireLease(src, "crashed", T)).toBe(true);
        expect(await b.ports.cursors.acquireLease(src, "next", T + 3_600_000)).toBe(true);
        expect((await b.ports.cursors.load(src)).leaseOwner).toBe("next");
      });

      it("progress moves the walk on; complete makes its top the high-water mark", async () => {
        const b = await makeBackend();
        const src = fresh("walk");
        await b.ports.cursors.load(src);
        expect(await b.ports.cursors.acquireLease(src, "w", T)).toBe(true);
        await b.commit([
          b.ports.cursors.progress(src, "w", {
            topId: "e-9",
            topTime: T - 1000,
            next: "page-2",
            tokens: ["page-2"],
            requests: 1,
          }),
        ]);
        const walking = await b.ports.cursors.load(src);
        expect(walking).toMatchObject({
          windowTopId: "e-9",
          windowTopTime: T - 1000,
          windowNext: "page-2",
          requests: 1,
          highWaterId: null,
        });
        expect(JSON.parse(walking.windowTokens ?? "null")).toEqual(["page-2"]);
        await b.commit([
          b.ports.cursors.progress(src, "w", {
            topId: "e-9",
            topTime: T - 1000,
            next: "page-3",
            tokens: ["page-2", "page-3"],
            requests: 1,
          }),
        ]);
        expect((await b.ports.cursors.load(src)).requests).toBe(2);
        await b.commit([
          b.ports.cursors.complete(src, "w", { topId: "e-9", topTime: T - 1000, requests: 1 }),
        ]);
        expect(await b.ports.cursors.load(src)).toMatchObject({
          highWaterId: "e-9",
          highWaterTime: T - 1000,
          windowTopId: null,
          windowNext: null,
          windowTokens: null,
          requests: 3,
        });
        // A later walk that found nothing newer keeps the mark.
        await b.commit([
          b.ports.cursors.complete(src, "w", { topId: null, topTime: null, requests: 1 }),
        ]);
        expect(await b.ports.cursors.load(src)).toMatchObject({
          highWaterId: "e-9",
          highWaterTime: T - 1000,
        });
      });

      it("restart drops the walk in progress; the high-water mark stays", async () => {
        const b = await makeBackend();
        const src = fresh("restart");
        await b.ports.cursors.load(src);
        await b.ports.cursors.acquireLease(src, "w", T);
        await b.commit([
          b.ports.cursors.complete(src, "w", { topId: "hw", topTime: T, requests: 0 }),
        ]);
        await b.commit([
          b.ports.cursors.progress(src, "w", {
            topId: "x",
            topTime: T + 5,
            next: "loop",
            tokens: ["loop"],
            requests: 2,
          }),
        ]);
        await b.commit([b.ports.cursors.restart(src, "w", 1)]);
        expect(await b.ports.cursors.load(src)).toMatchObject({
          highWaterId: "hw",
          windowTopId: null,
          windowNext: null,
          windowTokens: null,
          requests: 3,
        });
      });

      it("a walk's statements do nothing once the lease is another owner's", async () => {
        const b = await makeBackend();
        const src = fresh("stale");
        await b.ports.cursors.load(src);
        expect(await b.ports.cursors.acquireLease(src, "old", T)).toBe(true);
        expect(await b.ports.cursors.acquireLease(src, "new", T + 3_600_000)).toBe(true);
        await b.commit([
          b.ports.cursors.progress(src, "old", {
            topId: "stale",
            topTime: T,
            next: "p",
            tokens: ["p"],
            requests: 1,
          }),
          b.ports.cursors.complete(src, "old", { topId: "stale", topTime: T, requests: 1 }),
        ]);
        expect(await b.ports.cursors.load(src)).toMatchObject({
          leaseOwner: "new",
          windowTopId: null,
          highWaterId: null,
          requests: 0,
        });
      });

      it("finishRun keeps health: failures count up and a success resets them", async () => {
        const b = await makeBackend();
        const src = fresh("runs");
        await b.ports.cursors.load(src);
        let now = T;
        for (const ok of [false, false]) {
          expect(await b.ports.cursors.acquireLease(src, "w", now)).toBe(true);
          await b.ports.cursors.finishRun(src, "w", run(now, ok));
          now += 60_000;
        }
        expect(await b.ports.cursors.load(src)).toMatchObject({
          failures: 2,
          lastStatus: "http_503",
          lastError: "HTTP 503",
          lastSuccessAt: null,
        });
        expect(await b.ports.cursors.acquireLease(src, "w", now)).toBe(true);
        await b.ports.cursors.finishRun(src, "w", { ...run(now), requests: 4 });
        expect(await b.ports.cursors.load(src)).toMatchObject({
          failures: 0,
          lastStatus: "ok",
          lastError: null,
          lastSuccessAt: now,
          requests: 4,
        });
      });
    });
  });
}
