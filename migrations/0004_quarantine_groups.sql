-- Bad records of one input (a request body, a file chunk) are kept as one entry holding them
-- all (NDJSON, inline or gzipped in R2); `records` is how many it holds, each counted in the
-- source's `quarantined`. Whole inputs (a body, a file) keep records = 1.
ALTER TABLE quarantine ADD COLUMN records INTEGER NOT NULL DEFAULT 1;
CREATE INDEX quarantine_status ON quarantine (status, receivedAt);
