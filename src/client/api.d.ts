// Generated from GET /v1/openapi.json by openapi-typescript: `npm run api:types`. Do not edit;
// `npm run lint` fails when this file differs from a fresh generation. Use it with openapi-fetch:
// createClient<paths>({ baseUrl }) (see test/api-client.test.ts).
export interface paths {
  "/v1/alerts": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Alerts, newest first */
    get: operations["listAlerts"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/alerts/{id}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One alert with its stored events and its notes */
    get: operations["getAlert"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/alerts/{id}/ack": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Acknowledge an alert */
    post: operations["acknowledgeAlert"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/alerts/{id}/close": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Close an alert */
    post: operations["closeAlert"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/alerts/{id}/notes": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Add a note to an alert (once per note id: a retry stores nothing more) */
    post: operations["addAlertNote"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/archive": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The archive's objects (newest hour first), with totals */
    get: operations["listArchive"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/archive/rebuild": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Forget the archive of matching hours so the next run writes them again
     * @description Only hours whose rows are all still in D1 are rebuilt (their objects are deleted, then their manifest entries); hours some of whose rows may have left D1 (the archive their only copy) are listed under `refused`: a cooled hour (docs/archive.md) unless D1 holds exactly the manifest's rows. Then POST /v1/archive/run writes them again under the same keys.
     */
    post: operations["rebuildArchive"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/archive/run": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Archive every closed hour not yet archived (with ?through=now, the open hour too) */
    post: operations["runArchive"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/archive/urls": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Signed, short-lived URLs of the archive's Parquet objects in a source and hour range
     * @description Each URL reads one object (GET with Range, or HEAD) for 15 minutes, without a token: for DuckDB (read_parquet over the list). At most 2000 objects; a larger range answers 400.
     */
    get: operations["archiveUrls"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/azure/{sourceId}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Event Grid webhook of an Azure Blob Storage source
     * @description Target of an Event Grid event subscription (Event Grid or CloudEvents 1.0 schema) on the storage account, with the delivery secret as a static Authorization header. A SubscriptionValidationEvent is answered with its validationCode; each Microsoft.Storage.BlobCreated in the source's container and prefix is queued for reading before the 200; other events are counted as skipped; an event id already handled does nothing.
     */
    post: operations["azureEventGrid"];
    delete?: never;
    /**
     * CloudEvents 1.0 abuse-protection handshake of an Azure source's webhook
     * @description Event Grid (CloudEvents schema) asks for permission with WebHook-Request-Origin; the answer grants it for that origin at any rate. The delivery secret is not required (Microsoft's docs don't say this request carries delivery properties); a wrong one is refused.
     */
    options: operations["azureWebhookHandshake"];
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/gcs/{sourceId}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Pub/Sub push endpoint of a Google Cloud Storage bucket source
     * @description Target of an authenticated Pub/Sub push subscription (wrapped messages) on the topic of the bucket's notification config (payload JSON_API_V1). The token is verified before anything is done; each OBJECT_FINALIZE under the source's prefix is queued for reading; a messageId already handled does nothing.
     */
    post: operations["gcsPush"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/ingest/{sourceId}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Push audit events to a push source
     * @description Body: one JSON event, a JSON array, NDJSON, or an envelope object whose one array property holds the events; gzip accepted. Answers only after the rows are committed. Invalid events are quarantined one by one; a body that cannot be parsed is 400 and kept in quarantine.
     */
    post: operations["pushEvents"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/logs": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Query stored events (newest first by default); NDJSON export with Accept: application/x-ndjson */
    get: operations["listLogs"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/logs/{id}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * One stored event, from D1 or the archive
     * @description Looks in D1, then in the archive's cold hours (docs/archive.md: an id carries no time, so each archive object's id bloom filter is probed; `eventTime` narrows the probe to the objects whose events span that time).
     */
    get: operations["getLog"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/logs/facets": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The 10 most frequent values of six fields among matching events
     * @description Fields: sourceType, eventName, actor (its email, else name, else id), srcIP, srcASOrganization, srcASCountryCode.
     */
    get: operations["logsFacets"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/logs/histogram": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Matching events per time bucket (by event time)
     * @description Buckets are minutes for ranges up to 6 hours, hours up to 14 days, days beyond. With `since` the range ends now; without `from`/`to`/`since` it is that of the matching events.
     */
    get: operations["logsHistogram"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/pipelines": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Processing pipelines in force (bundled from rules/pipelines/ and runtime), in the order they run */
    get: operations["listPipelines"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/pipelines/{id}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One processing pipeline with its YAML */
    get: operations["getPipeline"];
    /** Add or replace a runtime processing pipeline (pySigma YAML); every rule recompiles */
    put: operations["putPipeline"];
    post?: never;
    /** Delete a runtime processing pipeline */
    delete: operations["deletePipeline"];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/quarantine": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** What could not be stored normally, newest first */
    get: operations["listQuarantine"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/quarantine/{id}/replay": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Replay an entry after a fix: re-ingest its input, or re-enqueue its file */
    post: operations["replayQuarantineEntry"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/rules": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Detection rules in force (bundled starter pack and runtime rules) */
    get: operations["listRules"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/rules/{id}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One rule file with its YAML */
    get: operations["getRule"];
    /** Add or replace a runtime rule (Sigma YAML; a correlation and its rules together) */
    put: operations["putRule"];
    post?: never;
    /** Delete a runtime rule */
    delete: operations["deleteRule"];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/rules/{id}/disable": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Disable a rule file (bundled or runtime): its rules no longer match, correlate or run (backtests still do)
     * @description Idempotent: asking for the state a file already has changes nothing (`changed`: false). The state is kept apart from the YAML: it survives a PUT of the file and a redeploy.
     */
    post: operations["disableRule"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/rules/{id}/enable": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Enable a rule file (bundled or runtime): its rules run again
     * @description Idempotent: asking for the state a file already has changes nothing (`changed`: false). The state is kept apart from the YAML: it survives a PUT of the file and a redeploy.
     */
    post: operations["enableRule"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/rules/test": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Try a rule on events (which match, and why) or backtest it over stored events */
    post: operations["testRule"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/saved": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Saved searches and SQL: the shared ones and the caller's own */
    get: operations["listSaved"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/saved/{id}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    /** Save a search or a SQL query under an id (create or replace) */
    put: operations["putSaved"];
    post?: never;
    /** Delete one of the caller's saved items */
    delete: operations["deleteSaved"];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/sns/{sourceId}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Amazon SNS subscription endpoint of an S3 bucket source
     * @description Subscribe this URL (protocol https, raw message delivery off) to the SNS topic that receives the bucket's S3 event notifications. Every message's signature (SignatureVersion 1 or 2), topic (s3.topicArns) and age (s3.snsMaxAgeSeconds) is verified before anything is done; a SubscriptionConfirmation is confirmed here; each created object under the source's prefix is queued for reading. A MessageId already handled is answered 200 and does nothing. Authentication: no token (`security: []`); Amazon SNS signs every message, and an unsigned, badly signed, stale or foreign-topic message is 401.
     */
    post: operations["snsNotification"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/sources": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Configured sources with their counters and health */
    get: operations["listSources"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/sources/{sourceId}/files": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Upload a file (e.g. a CircleCI CSV export or an Airkit file) for a bucket source
     * @description The body is stored in the landing bucket under the source's prefix and processed by the same queue consumer as vendor-written files (any framing: JSON, NDJSON, CSV, gzip). Up to 100 MB with a Content-Length (streamed to R2), 32 MB without.
     */
    post: operations["uploadFile"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/sql": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Run one read-only SELECT over the views (logs, <vendor> views)
     * @description Only one SELECT (plain, compound, or with non-recursive CTEs) over `logs` and the per-source views is allowed; anything else is refused with 400 naming the problem. A query whose plan multiplies two scans (a join with no equality on a unique key, two json_each over values the query builds) is refused before it runs with 400 `sql_too_costly`. Times are ISO-8601 text, so `eventTime >= '2026-11-01'` compares as expected and uses the time index. Integers beyond ±(2^53 − 1) come back as strings of their exact decimal value. The response stops at `limit` rows or 8 MiB, whichever comes first.
     */
    post: operations["runSql"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/sql/schema": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The views POST /v1/sql reads, their columns, and example queries */
    get: operations["sqlSchema"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    Alert: {
      /** @description a scheduled rule's alert: the query's row that opened it */
      context?: {
        [key: string]: unknown;
      };
      count: number;
      dedupKey: string;
      /** @description pending, delivered to <id>, or why it failed */
      delivery: string;
      /** @description the first 20 matching events */
      eventIds: string[];
      firstSeen: string;
      id: string;
      lastSeen: string;
      level: string;
      ruleId: string;
      sourceID: string | null;
      /** @enum {string} */
      status: "open" | "acknowledged" | "closed";
      title: string;
    };
    AlertDetail: components["schemas"]["Alert"] & {
      /** @description its events (eventIds) still stored in D1, as GET /v1/logs rows */
      events: {
        [key: string]: unknown;
      }[];
      /** @description oldest first */
      notes: components["schemas"]["AlertNote"][];
    };
    AlertNote: {
      alertId: string;
      at: string;
      /** @description who wrote it: a token's name or an Access email */
      author: string;
      id: string;
      text: string;
    };
    ArchiveRebuild: {
      hours: number;
      objectsDeleted: number;
      refused: {
        hour: string;
        source: string;
      }[];
      /** @enum {string} */
      status: "done" | "busy";
    };
    ArchiveRun: {
      bytes: number;
      /** @description hours that failed in this run (an object that cannot be read, R2 refusing a write), left to the next run; the other hours went on */
      failed?: {
        error: string;
        hour: string;
        source: string;
      }[];
      parts: number;
      rows: number;
      /**
       * @description busy: another run holds the lease; more: the run stopped at its bound, run again
       * @enum {string}
       */
      status: "done" | "busy" | "more";
      through: string;
    };
    ArchiveUrls: {
      data: {
        bytes: number;
        hour: string;
        key: string;
        rows: number;
        source: string;
        url: string;
      }[];
      expires: string;
    };
    AzureDelivered: {
      /** @description events already handled (same id) */
      duplicates: number;
      /** @description malformed events kept aside */
      quarantined: number;
      /** @description blobs queued for reading */
      queued: number;
      /** @description events of other types, containers or prefixes */
      skipped: number;
    };
    /** @description Event Grid schema events: a Microsoft.EventGrid.SubscriptionValidationEvent (data.validationCode), or Microsoft.Storage.BlobCreated events (subject /blobServices/default/containers/<c>/blobs/<name>; data.eTag, data.contentLength, data.url, data.api). */
    AzureEvents: {
      data?: Record<string, never>;
      dataVersion?: string;
      eventTime?: string;
      /** @description e.g. Microsoft.Storage.BlobCreated */
      eventType: string;
      id: string;
      metadataVersion?: string;
      subject: string;
      topic?: string;
    }[];
    Destination: {
      delivered: number;
      /** @description attempts that failed (each is retried) */
      failed: number;
      id: string;
      lastError: {
        at: string;
        message: string;
      } | null;
      lastSuccess: string | null;
      type: string;
    };
    Enrichment: {
      ipdb: {
        attribution: string[];
        builtAt: string | null;
        compressedBytes: number | null;
        key: string | null;
        loadedAt: string | null;
        loadMs: number | null;
        memoryBytes: number | null;
        message: string | null;
        segments: {
          ipv4: number;
          ipv6: number;
        } | null;
        /**
         * @description ok: srcIP lookups fill AS number, organization, ISP and country; missing/error: those columns stay null (ingestion is unaffected)
         * @enum {string}
         */
        status: "ok" | "missing" | "error";
        /** @example asn@2.3.2026061719+country@2.3.2026061719 */
        version: string | null;
      };
    };
    Error: {
      error: {
        /** @example invalid_parameter */
        code: string;
        message: string;
        requestId?: string;
      };
    };
    EventGridValidationResponse: {
      validationResponse: string;
    };
    Facets: {
      facets: {
        actor: {
          count: number;
          value: string;
        }[];
        eventName: {
          count: number;
          value: string;
        }[];
        sourceType: {
          count: number;
          value: string;
        }[];
        srcASCountryCode: {
          count: number;
          value: string;
        }[];
        srcASOrganization: {
          count: number;
          value: string;
        }[];
        srcIP: {
          count: number;
          value: string;
        }[];
      };
      meta?: {
        archive: {
          bytes: number;
          /**
           * @description older archive objects of the range were not counted: narrow the range
           * @enum {string}
           */
          cut?: "objects" | "bytes" | "rows" | "time";
          /** @description Parquet objects counted (newest first) */
          objects: number;
        };
        tiers: ("hot" | "archive")[];
      };
    };
    GcsResult: {
      objects?: number;
      /** @enum {string} */
      status: "queued" | "duplicate" | "skipped" | "quarantined";
    };
    Histogram: {
      buckets: {
        /** @description with by=sourceID: the bucket's count per source */
        bySource?: {
          [key: string]: number;
        };
        count: number;
        end: string;
        start: string;
      }[];
      from: string;
      /** @enum {string} */
      interval: "minute" | "hour" | "day";
      meta?: {
        archive: {
          bytes: number;
          /**
           * @description a bound left archive objects uncounted: narrow the range or filter
           * @enum {string}
           */
          cut?: "objects" | "bytes" | "rows" | "time";
          /** @description archived event-hours counted from the manifest (no Parquet) */
          manifestHours: number;
          /** @description Parquet objects read */
          objects: number;
        };
        tiers: ("hot" | "archive")[];
      };
      to: string;
      total: number;
    };
    IngestResult: {
      /** @description records already stored (not inserted) */
      duplicates: number;
      /** @description new rows committed */
      inserted: number;
      /** @description records kept aside with a reason */
      quarantined: number;
      /** @description records read from the body */
      received: number;
    };
    /** @description Every common column (id, workspaceID, sourceType, sourceID, sourceTTL, receivedAt, eventTime, eventName, eventID, readOnly, src*\/dst* endpoint columns, actor, tags, resources, serviceName, enrichments, rawLog, rawLogRef) plus sourceFields with the vendor columns. */
    LogRow: {
      [key: string]: unknown;
    };
    Pipeline: {
      id: string;
      name: string;
      /** @enum {string} */
      origin: "bundled" | "runtime";
      priority: number;
      transformations: {
        id: string;
        type: string;
      }[];
      updatedAt: string | null;
      warnings: string[];
      yaml?: string;
    };
    /** @description A Pub/Sub push request (wrapped); message.data is the GCS object resource (JSON_API_V1). */
    PubsubPush: {
      message: {
        /** @description eventType (OBJECT_FINALIZE is read), bucketId, objectId, … */
        attributes?: {
          [key: string]: string;
        };
        /** @description the object resource */
        data?: string;
        messageId: string;
        publishTime?: string;
      };
      subscription?: string;
    };
    /** @description One event, an array of events, or an envelope object holding them. */
    PushBody:
      | components["schemas"]["PushEvent"]
      | components["schemas"]["PushEvent"][]
      | components["schemas"]["PushEnvelope"];
    /** @description A wrapper whose one array property holds the events: data, events, logs, records, items, entries, results or audit_logs (any other name when every item is an event). */
    PushEnvelope: {
      [key: string]: unknown;
    };
    /** @description One audit event as the source's vendor sends it (e.g. a turbopuffer audit event). An event the vendor's normalizer rejects is quarantined, not the whole body. */
    PushEvent: {
      [key: string]: unknown;
    };
    /** @description id, sourceID, sourceType, stage, errorCode, error, location, raw (text, or base64 when rawEncoding is base64), rawRef (R2 key when the input is kept in a bucket), contentType, receivedAt, lastSeenAt, seen, status (pending, replayed), replayedAt, replayResult */
    QuarantineEntry: {
      [key: string]: unknown;
    };
    RuleBacktest: {
      alertCount: number;
      /** @description the first 100 alerts, oldest first */
      alerts: {
        count: number;
        firstSeen: string;
        /** @description the dedup key (a correlation: its group) */
        group: string;
        lastSeen: string;
        ruleId: string;
      }[];
      durationMs: number;
      from: string;
      /** @description by rule id: rows a detection rule matched, windows a correlation fired */
      matches: {
        [key: string]: number;
      };
      /** @description the first 20 matching rows */
      sample: {
        /** @description a row as GET /v1/logs returns it */
        event: {
          [key: string]: unknown;
        };
        ruleIds: string[];
      }[];
      /** @description rows read (at most 50000) */
      scanned: number;
      /** @description event time of the last row read (null: none) */
      scannedThrough: string | null;
      to: string;
      /** @description a bound stopped the scan before `to`: the answer covers `from` up to `scannedThrough` */
      truncated: boolean;
    };
    RuleFile: {
      /** @description false: disabled (POST /v1/rules/{id}/disable): its rules neither match nor run; kept across a PUT of the YAML and a redeploy */
      enabled: boolean;
      id: string;
      lastMatchAt: string | null;
      matches: number;
      /** @enum {string} */
      origin: "bundled" | "runtime";
      rules: {
        id: string;
        kind: string;
        level: string;
        processing: string[];
        schedule?: {
          everyMinutes: number;
          groupBy: string[];
          /** @description why the last run failed (null: it succeeded, or none ran yet) */
          lastError: string | null;
          lastErrorAt: string | null;
          /** @description rows the last run returned (alerts: at most 100) */
          lastRows: number | null;
          lastRunAt: string | null;
          lookbackMinutes: number;
          /** @description the last run returned more than 100 rows: the rest raised no alert */
          truncated: boolean;
        };
        title: string;
      }[];
      updatedAt: string | null;
      warnings: string[];
      yaml?: string;
    };
    RuleTestResult: {
      backtest?: components["schemas"]["RuleBacktest"];
      results?: {
        index: number;
        matches: {
          ruleId: string;
          why: string[];
        }[];
      }[];
      rules: {
        id: string;
        kind: string;
        title: string;
      }[];
      warnings: string[];
    };
    SavedInput: {
      /** @enum {string} */
      kind: "search" | "sql";
      name: string;
      query: string;
      /** @default false */
      shared: boolean;
    };
    SavedItem: {
      createdAt: string;
      id: string;
      /** @enum {string} */
      kind: "search" | "sql";
      name: string;
      /** @description who saved it: a token's name or an Access email */
      owner: string;
      /** @description a search: the explorer URL's query string (e.g. since=24h&actor=ada%40example.com); SQL: the statement */
      query: string;
      /** @description listed to every reader, not only its owner */
      shared: boolean;
      updatedAt: string;
    };
    SnsResult: {
      /** @description objects queued for reading */
      objects?: number;
      /** @enum {string} */
      status: "queued" | "duplicate" | "test_event" | "quarantined" | "confirmed" | "unsubscribed";
    };
    Source: {
      /** @description every event received before this time is in the R2 archive (docs/archive.md); null before the first archived hour */
      archivedThrough: string | null;
      /** @description where a bucket source reads files: r2://…, s3://… or gs://… */
      bucket?: string;
      counts: {
        duplicates: number;
        inserted: number;
        quarantined: number;
        received: number;
        skipped: number;
      };
      cursor?: unknown;
      /**
       * @description at a glance: failing (the last attempt failed), lagging (silent past maxSilenceMinutes, or a poller overdue by 5 minutes), idle (nothing received yet), else ok
       * @enum {string}
       */
      health: "ok" | "lagging" | "failing" | "idle";
      id: string;
      /** @description seconds since the newest stored event */
      lagSeconds: number | null;
      lastError: {
        at: string;
        message: string;
      } | null;
      lastEventTime: string | null;
      lastReceivedAt: string | null;
      lastSuccess: string | null;
      /** @description with maxSilenceMinutes: nothing received for that long (null: the source sets no limit) */
      silent: boolean | null;
      /** @description when the last event was received, if the source is silent */
      silentSince: string | null;
      /** @description SNS subscriptions of an S3 source (POST /v1/sns/:sourceId) */
      subscriptions?: {
        at: string;
        lastError: string | null;
        /** @enum {string} */
        status: "pending" | "confirmed" | "unsubscribed";
        subscriptionArn: string | null;
        topicArn: string;
      }[];
      transport: string;
      type: string;
    };
    SqlResult: {
      columns: string[];
      meta: {
        /** @description events before this time may have left D1 for the R2 archive (docs/archive.md); query them there */
        coldFrom?: string;
        durationMs: number;
        rowsRead: number;
        /** @description more rows matched than the response holds (see `truncatedBy`) */
        truncated: boolean;
        /**
         * @description why rows were left out: more than `limit` matched, or the next row would have taken the body past 8388608 bytes
         * @enum {string}
         */
        truncatedBy?: "rows" | "bytes";
      };
      rows: (string | number | null | number[])[][];
    };
    TierMeta: {
      archive?: {
        /** @description bytes read from them (ranged reads) */
        bytes: number;
        /**
         * @description the bound on the archive read that ended this page early; the page is complete up to its last row and nextCursor continues after it
         * @enum {string}
         */
        cut?: "objects" | "bytes" | "rows" | "time";
        /** @description archive objects opened */
        objects: number;
        rowsScanned: number;
      };
      rows: {
        archive: number;
        hot: number;
      };
      /** @description the tiers read for this page: hot (D1), archive (Parquet in R2) */
      tiers: ("hot" | "archive")[];
    };
  };
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  listAlerts: {
    parameters: {
      query?: {
        cursor?: string;
        from?: string;
        level?: "informational" | "low" | "medium" | "high" | "critical";
        limit?: number;
        ruleId?: string;
        status?: "open" | "acknowledged" | "closed";
        to?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description alerts */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            data: components["schemas"]["Alert"][];
            nextCursor: string | null;
          };
        };
      };
      /** @description bad parameter */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description missing or wrong token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  getAlert: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the alert */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["AlertDetail"];
        };
      };
      /** @description missing or wrong token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description no such alert */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  acknowledgeAlert: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description done */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            id: string;
            status: string;
          };
        };
      };
      /** @description missing or wrong token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description the query token only reads */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description no such alert, or already closed */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  closeAlert: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description done */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            id: string;
            status: string;
          };
        };
      };
      /** @description missing or wrong token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description the query token only reads */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description no such alert, or already closed */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  addAlertNote: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": {
          /** @description chosen by the client (a random UUID): makes retries safe */
          id: string;
          text: string;
        };
      };
    };
    responses: {
      /** @description already stored */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["AlertNote"];
        };
      };
      /** @description stored */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["AlertNote"];
        };
      };
      /** @description the body is invalid, or the note id is used on another alert */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description missing or wrong token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description the query token only reads */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description no such alert */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  listArchive: {
    parameters: {
      query?: {
        /** @description hours from (inclusive, ISO-8601) */
        from?: string;
        limit?: number;
        source?: string;
        /** @description hours before (exclusive, ISO-8601) */
        to?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description manifest entries */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            data: {
              bytes: number;
              createdAt: string;
              hour: string;
              key: string;
              maxEventTime: string;
              minEventTime: string;
              part: number;
              rows: number;
              sha256: string;
              source: string;
            }[];
            totals: {
              bytes: number;
              objects: number;
              rows: number;
            };
          };
        };
      };
      /** @description a parameter is invalid */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description missing or wrong query token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  rebuildArchive: {
    parameters: {
      query?: {
        /** @description hours from (inclusive, ISO-8601) */
        from?: string;
        source?: string;
        /** @description hours before (exclusive, ISO-8601) */
        to?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description what was forgotten */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ArchiveRebuild"];
        };
      };
      /** @description a parameter is invalid */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description missing or wrong token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description the token only reads */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  runArchive: {
    parameters: {
      query?: {
        /** @description also archive the current, still-open hour (its later events go into a further part) */
        through?: "now";
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description what this run wrote */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ArchiveRun"];
        };
      };
      /** @description missing or wrong token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description the token only reads */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  archiveUrls: {
    parameters: {
      query: {
        /** @description hours from (inclusive, ISO-8601) */
        from: string;
        source?: string;
        /** @description hours before (exclusive, ISO-8601) */
        to: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description one signed URL per object, oldest hour first */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ArchiveUrls"];
        };
      };
      /** @description a parameter is invalid, or the range holds too many objects */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description missing or wrong query token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  azureEventGrid: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        sourceId: string;
      };
      cookie?: never;
    };
    /** @description Events as Event Grid sends them (an array; CloudEvents: one event or a batch). */
    requestBody: {
      content: {
        "application/cloudevents-batch+json": Record<string, never>[];
        "application/cloudevents+json": Record<string, never>;
        "application/json": components["schemas"]["AzureEvents"];
      };
    };
    responses: {
      /** @description the validation code, or what was done with the events */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json":
            | components["schemas"]["EventGridValidationResponse"]
            | components["schemas"]["AzureDelivered"];
        };
      };
      /** @description the body is not JSON events */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description missing or wrong delivery secret */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description unknown source, or not an Azure source with eventGridSecretEnv */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description body too large */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description the secret named by eventGridSecretEnv is not set */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  azureWebhookHandshake: {
    parameters: {
      query?: never;
      header: {
        "webhook-request-origin": string;
      };
      path: {
        sourceId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description permission granted */
      200: {
        headers: {
          /** @description the origin asked for */
          "WebHook-Allowed-Origin"?: string;
          /** @description * (any rate) */
          "WebHook-Allowed-Rate"?: string;
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description no WebHook-Request-Origin header */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description a wrong delivery secret */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description unknown source, or not an Azure source with eventGridSecretEnv */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  gcsPush: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        sourceId: string;
      };
      cookie?: never;
    };
    /** @description A wrapped Pub/Sub push message (Google sends it). */
    requestBody: {
      content: {
        "application/json": components["schemas"]["PubsubPush"];
      };
    };
    responses: {
      /** @description handled */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["GcsResult"];
        };
      };
      /** @description not a Pub/Sub push message */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description missing or invalid push token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description unknown source, or not a GCS source */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description body too large */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Google's keys could not be fetched in time or within their size cap (upstream_failed); Pub/Sub retries */
      502: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  pushEvents: {
    parameters: {
      query?: never;
      header?: {
        /** @description gzip (or x-gzip) or deflate when the body is compressed; a gzip body is also recognised by its magic bytes without it. */
        "Content-Encoding"?: "gzip" | "x-gzip" | "deflate" | "identity";
      };
      path: {
        sourceId: string;
      };
      cookie?: never;
    };
    /** @description The events, in any of these framings (the limit applies compressed and decompressed: 8 MiB unless the source sets maxBodyBytes). Also accepted as JSON/NDJSON: application/ndjson, application/jsonl, application/x-jsonlines, text/plain, application/octet-stream; gzip: application/x-gzip. */
    requestBody: {
      content: {
        "application/gzip": Blob | Uint8Array;
        "application/json": components["schemas"]["PushBody"];
        "application/x-ndjson": string;
      };
    };
    responses: {
      /** @description committed */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["IngestResult"];
        };
      };
      /** @description body cannot be parsed (kept in quarantine) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description missing or wrong ingest token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description client IP not in the source's allow-list */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description unknown source, or not a push source */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description body too large */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description unsupported content type or encoding */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description storage failed; retrying is safe */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  listLogs: {
    parameters: {
      query?: {
        /** @description matches any value of the actor map (id, email, name …) */
        actor?: string;
        cursor?: string;
        eventName?: string;
        /** @description leave out rows whose field has a value, as <field>:<value>; repeatable */
        exclude?: string | string[];
        /** @description inclusive lower bound (ISO-8601) */
        from?: string;
        limit?: number;
        order?: "desc" | "asc";
        /** @description free text: a substring (case-insensitive for ASCII) of eventName, actor, srcIP, resources or rawLog; scans the rows the other filters leave */
        q?: string;
        /** @description a relative range ending now: <n><unit> with unit s, m, h, d or w (15m, 1h, 24h, 7d, 30d; at most 366 days); sets `from` to now minus it, so it cannot be combined with `from` or `to` */
        since?: string;
        sourceID?: string;
        sourceType?:
          | "turbopuffer"
          | "circleci"
          | "airkit"
          | "planetscale"
          | "turso"
          | "auditflare"
          | "github"
          | "okta"
          | "onepassword"
          | "slack";
        srcASCountryCode?: string;
        srcASOrganization?: string;
        srcIP?: string;
        timeField?: "eventTime" | "receivedAt";
        /** @description exclusive upper bound (ISO-8601) */
        to?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description a page of rows, or every matching row as NDJSON */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            data: components["schemas"]["LogRow"][];
            meta: components["schemas"]["TierMeta"];
            nextCursor: string | null;
          };
          "application/x-ndjson": components["schemas"]["LogRow"];
        };
      };
      /** @description a parameter is invalid (the message names it) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description missing or wrong query token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  getLog: {
    parameters: {
      query?: {
        /** @description the event's time (every row carries it): the archive lookup then reads only the objects that can hold it */
        eventTime?: string;
      };
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the row */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["LogRow"];
        };
      };
      /** @description missing or wrong query token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description no such row */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  logsFacets: {
    parameters: {
      query?: {
        /** @description matches any value of the actor map (id, email, name …) */
        actor?: string;
        eventName?: string;
        /** @description leave out rows whose field has a value, as <field>:<value>; repeatable */
        exclude?: string | string[];
        /** @description inclusive lower bound (ISO-8601) */
        from?: string;
        /** @description free text: a substring (case-insensitive for ASCII) of eventName, actor, srcIP, resources or rawLog; scans the rows the other filters leave */
        q?: string;
        /** @description a relative range ending now: <n><unit> with unit s, m, h, d or w (15m, 1h, 24h, 7d, 30d; at most 366 days); sets `from` to now minus it, so it cannot be combined with `from` or `to` */
        since?: string;
        sourceID?: string;
        sourceType?:
          | "turbopuffer"
          | "circleci"
          | "airkit"
          | "planetscale"
          | "turso"
          | "auditflare"
          | "github"
          | "okta"
          | "onepassword"
          | "slack";
        srcASCountryCode?: string;
        srcASOrganization?: string;
        srcIP?: string;
        /** @description exclusive upper bound (ISO-8601) */
        to?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description top values with counts, most frequent first */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Facets"];
        };
      };
      /** @description a parameter is invalid (the message names it) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description missing or wrong query token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  logsHistogram: {
    parameters: {
      query?: {
        /** @description matches any value of the actor map (id, email, name …) */
        actor?: string;
        /** @description split each bucket's count by source: `bySource` in each bucket */
        by?: "sourceID";
        eventName?: string;
        /** @description leave out rows whose field has a value, as <field>:<value>; repeatable */
        exclude?: string | string[];
        /** @description inclusive lower bound (ISO-8601) */
        from?: string;
        /** @description free text: a substring (case-insensitive for ASCII) of eventName, actor, srcIP, resources or rawLog; scans the rows the other filters leave */
        q?: string;
        /** @description a relative range ending now: <n><unit> with unit s, m, h, d or w (15m, 1h, 24h, 7d, 30d; at most 366 days); sets `from` to now minus it, so it cannot be combined with `from` or `to` */
        since?: string;
        sourceID?: string;
        sourceType?:
          | "turbopuffer"
          | "circleci"
          | "airkit"
          | "planetscale"
          | "turso"
          | "auditflare"
          | "github"
          | "okta"
          | "onepassword"
          | "slack";
        srcASCountryCode?: string;
        srcASOrganization?: string;
        srcIP?: string;
        /** @description exclusive upper bound (ISO-8601) */
        to?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description every bucket of the range, empty ones included */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Histogram"];
        };
      };
      /** @description a parameter is invalid (the message names it) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description missing or wrong query token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  listPipelines: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description pipelines */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            data: components["schemas"]["Pipeline"][];
          };
        };
      };
      /** @description missing or wrong token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  getPipeline: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the pipeline */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Pipeline"];
        };
      };
      /** @description missing or wrong token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description no such pipeline */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  putPipeline: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/yaml": string;
      };
    };
    responses: {
      /** @description replaced */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Pipeline"];
        };
      };
      /** @description created */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Pipeline"];
        };
      };
      /** @description not a valid pipeline (the message names the line), too many pipelines, or a rule in force would no longer load */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description missing or wrong token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description the query token only reads */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description larger than 64 KiB */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description not application/yaml */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  deletePipeline: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description deleted */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description missing or wrong token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description the query token only reads */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description no such runtime pipeline (bundled pipelines live in rules/pipelines/) */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description a rule in force needs it: without it, the rule would no longer load */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  listQuarantine: {
    parameters: {
      query?: {
        cursor?: string;
        limit?: number;
        sourceID?: string;
        stage?: string;
        status?: "pending" | "replayed";
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description entries */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            data: components["schemas"]["QuarantineEntry"][];
            nextCursor: string | null;
          };
        };
      };
      /** @description bad parameter */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description missing or wrong query token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  replayQuarantineEntry: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description stored */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            id: string;
            result?: unknown;
            status: string;
          };
        };
      };
      /** @description file re-enqueued */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            id: string;
            result?: unknown;
            status: string;
          };
        };
      };
      /** @description missing or wrong token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description the query token only reads: replaying needs the admin token */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description no such entry */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description the input still fails (the error says why); nothing was stored */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  listRules: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description rules */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            data: components["schemas"]["RuleFile"][];
          };
        };
      };
      /** @description missing or wrong token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  getRule: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the rule */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["RuleFile"];
        };
      };
      /** @description missing or wrong token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description no such rule */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  putRule: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/yaml": string;
      };
    };
    responses: {
      /** @description replaced */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["RuleFile"];
        };
      };
      /** @description created */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["RuleFile"];
        };
      };
      /** @description not a valid rule: the message names the line and field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description missing or wrong token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description the query token only reads */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description not application/yaml */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  deleteRule: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description deleted */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description missing or wrong token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description the query token only reads */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description no such runtime rule (bundled rules live in rules/) */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  disableRule: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the rule file, in its new state */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["RuleFile"] & {
            /** @description this request changed the state (false: it already was so) */
            changed: boolean;
          };
        };
      };
      /** @description missing or wrong token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description the query token only reads */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description no such rule */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  enableRule: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the rule file, in its new state */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["RuleFile"] & {
            /** @description this request changed the state (false: it already was so) */
            changed: boolean;
          };
        };
      };
      /** @description missing or wrong token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description the query token only reads */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description no such rule */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  testRule: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": {
          /** @description rows as GET /v1/logs returns them; or `from` and `to` */
          events?: {
            [key: string]: unknown;
          }[];
          /** @description backtest: inclusive lower bound of event time (ISO-8601) */
          from?: string;
          rule: string;
          /** @description backtest: exclusive upper bound of event time (ISO-8601) */
          to?: string;
        };
      };
    };
    responses: {
      /** @description matches */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["RuleTestResult"];
        };
      };
      /** @description not a valid rule (the message names the line), or a bad body */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description missing or wrong token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  listSaved: {
    parameters: {
      query?: {
        kind?: "search" | "sql";
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description by kind, then name */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            data: components["schemas"]["SavedItem"][];
          };
        };
      };
      /** @description a parameter is invalid */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description missing or wrong token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  putSaved: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description chosen by the client (the explorer uses a random UUID) */
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": components["schemas"]["SavedInput"];
      };
    };
    responses: {
      /** @description replaced */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["SavedItem"];
        };
      };
      /** @description created */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["SavedItem"];
        };
      };
      /** @description the body is invalid */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description missing or wrong token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description the query token only reads, or the id is another owner's */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  deleteSaved: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description chosen by the client (the explorer uses a random UUID) */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description deleted */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description missing or wrong token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description the query token only reads, or the item is another owner's */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description no such item */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  snsNotification: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        sourceId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        "text/plain": string;
      };
    };
    responses: {
      /** @description handled */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["SnsResult"];
        };
      };
      /** @description not an SNS message */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description signature, certificate URL, topic or timestamp not accepted */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description unknown source, or not an S3 source with SNS topics */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description body too large */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description the subscription could not be confirmed, or the signing certificate could not be fetched (sns_certificate_unavailable); SNS retries */
      502: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  listSources: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description sources */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            data: components["schemas"]["Source"][];
            destinations: components["schemas"]["Destination"][];
            enrichment: components["schemas"]["Enrichment"];
          };
        };
      };
      /** @description missing or wrong query token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  uploadFile: {
    parameters: {
      query?: {
        name?: string;
      };
      header?: never;
      path: {
        sourceId: string;
      };
      cookie?: never;
    };
    /** @description The file as exported by the vendor: JSON, NDJSON, CSV, or any of them gzipped. */
    requestBody: {
      content: {
        "application/gzip": Blob | Uint8Array;
        "application/octet-stream": Blob | Uint8Array;
        "application/x-ndjson": string;
        "text/csv": string;
      };
    };
    responses: {
      /** @description stored; it will be ingested by the queue consumer */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            key: string;
          };
        };
      };
      /** @description empty body or bad name */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description missing or wrong token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description the query token only reads: uploading needs the admin token */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description unknown source, or not a bucket source */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description file too large */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  runSql: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": {
          /** @default 1000 */
          limit?: number;
          /** @example SELECT sourceType, count(*) AS n FROM logs WHERE eventTime >= '2026-11-01' GROUP BY 1 */
          query: string;
        };
      };
    };
    responses: {
      /** @description the rows (at most `limit`) */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["SqlResult"];
          "application/x-ndjson": {
            [key: string]: string | number | null | number[];
          };
          "text/csv": string;
        };
      };
      /** @description not one read-only SELECT over the views, too costly to run (`sql_too_costly`), or D1 refused it (its message) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description missing or wrong query token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  sqlSchema: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description views and examples */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            examples: {
              sql: string;
              title: string;
            }[];
            views: {
              columns: string[];
              description: string;
              name: string;
            }[];
          };
        };
      };
      /** @description missing or wrong query token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
}
