-- When an alert's last version was queued to the destinations: its next update waits a minute
-- from it (src/store/alerts.ts UPDATE_EVERY_MS), so a burst of matches is one alert.updated a
-- minute per alert, not one per commit.
ALTER TABLE `alerts` ADD `notifiedAt` integer;