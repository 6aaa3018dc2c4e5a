-- The version an alert's claim queues (src/store/alerts.ts CLAIM_VERSION): a claim taken over
-- after its sender died queues that same version (same webhook-id) before any newer one.
ALTER TABLE `alerts` ADD `notifyClaimedVersion` integer;
