-- Sitewide's tables (PostgreSQL). Never edit once applied; add a new numbered file.
-- The same number in migrations/sqlite/ holds the same schema in SQLite types.

CREATE TABLE workspaces (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    path           TEXT NOT NULL,
    default_branch TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL
);

CREATE TABLE specs (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       TEXT NOT NULL,
    text       TEXT NOT NULL,
    hash       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE runs (
    id               TEXT PRIMARY KEY,
    workspace_id     BIGINT NOT NULL REFERENCES workspaces (id),
    spec_id          BIGINT NOT NULL REFERENCES specs (id),
    kind             TEXT NOT NULL,
    state            TEXT NOT NULL,
    base_commit      TEXT NOT NULL,
    budget_exhausted BOOLEAN NOT NULL DEFAULT FALSE,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);

CREATE TABLE changes (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id          TEXT NOT NULL REFERENCES runs (id),
    path            TEXT NOT NULL,
    state           TEXT NOT NULL,
    base_hash       TEXT NOT NULL,
    new_hash        TEXT,
    diff            TEXT NOT NULL,
    diff_hash       TEXT NOT NULL,
    findings_before JSONB NOT NULL,
    findings_after  JSONB NOT NULL,
    attempts        JSONB NOT NULL,
    UNIQUE (run_id, path)
);

-- Append-only: rows are inserted, never updated or deleted.
CREATE TABLE events (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id     TEXT NOT NULL REFERENCES runs (id),
    change_id  BIGINT REFERENCES changes (id),
    from_state TEXT,
    to_state   TEXT NOT NULL,
    actor      TEXT NOT NULL,
    at         TIMESTAMPTZ NOT NULL,
    detail     TEXT NOT NULL DEFAULT ''
);

CREATE INDEX events_by_run ON events (run_id, id);
