-- Model calls: a receipt per HTTP request, and a lease per call in flight, so budgets,
-- a run's concurrency and providers' rate limits hold across every process that shares
-- this database. Times are Unix milliseconds, so they compare as numbers.
-- Never edit once applied; add a new numbered file.

CREATE TABLE receipts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id          TEXT NOT NULL REFERENCES runs (id),
    path            TEXT NOT NULL,
    attempt         INTEGER NOT NULL,
    provider        TEXT NOT NULL,
    model_requested TEXT NOT NULL,
    model_answered  TEXT,
    input_tokens    INTEGER NOT NULL,
    output_tokens   INTEGER NOT NULL,
    cost_usd        REAL NOT NULL,
    outcome         TEXT NOT NULL,
    body            TEXT NOT NULL,
    created_ms      INTEGER NOT NULL
);

CREATE INDEX receipts_by_run ON receipts (run_id, id);
CREATE INDEX receipts_by_provider ON receipts (provider, created_ms);

-- A call in flight holds a lease with its estimated spend until it ends; a lease whose
-- process died expires.
CREATE TABLE call_leases (
    id            TEXT PRIMARY KEY,
    run_id        TEXT NOT NULL REFERENCES runs (id),
    provider      TEXT NOT NULL,
    input_tokens  INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    cost_usd      REAL NOT NULL,
    started_ms    INTEGER NOT NULL,
    expires_ms    INTEGER NOT NULL
);

-- The forecast made at planning (tokens, cost, wall time), to compare with the actual.
ALTER TABLE runs ADD COLUMN forecast TEXT NOT NULL DEFAULT '{}';
