-- The web app: local users, browser sessions, API tokens, idempotency keys of
-- `POST /api/v1/runs`, and the diff hash a review decision was made on.
-- Never edit once applied; add a new numbered file.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

-- A browser session: the SHA-256 of its cookie's token, never the token itself.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- An API token (`Authorization: Bearer ...`): its SHA-256 only.
CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

-- The run an `Idempotency-Key` started, per user; `run_id` is NULL while it is planned.
CREATE TABLE idempotency_keys (
    user_name  TEXT NOT NULL,
    key        TEXT NOT NULL,
    run_id     TEXT REFERENCES runs (id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_name, key)
);

-- The diff hash a review decision was made on.
ALTER TABLE events ADD COLUMN diff_hash TEXT;
