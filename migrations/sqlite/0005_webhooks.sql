-- Webhooks: the URL a run was started with (`POST /api/v1/runs` field `webhook`), and
-- how far the notifier has read the event log, so a restarted server neither sends a
-- run's notice twice nor skips one that happened while it was down.
-- Never edit once applied; add a new numbered file.

CREATE TABLE run_webhooks (
    run_id     TEXT PRIMARY KEY REFERENCES runs (id),
    url        TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- One row: the last event of the log the notifier has handled.
CREATE TABLE webhook_cursor (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    last_event_id INTEGER NOT NULL
);
