-- Sitewide's tables (SQLite). Never edit once applied; add a new numbered file.
-- The same number in migrations/postgres/ holds the same schema in Postgres types.

CREATE TABLE workspaces (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    name           TEXT NOT NULL UNIQUE,
    path           TEXT NOT NULL,
    default_branch TEXT NOT NULL,
    created_at     TEXT NOT NULL
);

CREATE TABLE specs (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL,
    text       TEXT NOT NULL,
    hash       TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE runs (
    id               TEXT PRIMARY KEY,
    workspace_id     INTEGER NOT NULL REFERENCES workspaces (id),
    spec_id          INTEGER NOT NULL REFERENCES specs (id),
    kind             TEXT NOT NULL,
    state            TEXT NOT NULL,
    base_commit      TEXT NOT NULL,
    budget_exhausted BOOLEAN NOT NULL DEFAULT FALSE,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);

CREATE TABLE changes (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id          TEXT NOT NULL REFERENCES runs (id),
    path            TEXT NOT NULL,
    state           TEXT NOT NULL,
    base_hash       TEXT NOT NULL,
    new_hash        TEXT,
    diff            TEXT NOT NULL,
    diff_hash       TEXT NOT NULL,
    findings_before TEXT NOT NULL,
    findings_after  TEXT NOT NULL,
    attempts        TEXT NOT NULL,
    UNIQUE (run_id, path)
);

-- Append-only: rows are inserted, never updated or deleted.
CREATE TABLE events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id     TEXT NOT NULL REFERENCES runs (id),
    change_id  INTEGER REFERENCES changes (id),
    from_state TEXT,
    to_state   TEXT NOT NULL,
    actor      TEXT NOT NULL,
    at         TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT ''
);

CREATE INDEX events_by_run ON events (run_id, id);
