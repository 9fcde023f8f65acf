-- Audit runs: the report of a run of a `kind = "audit"` job, as its JSON contract
-- (docs/audit.md), one per run, written in the transaction that completes the run.
-- Never edit once applied; add a new numbered file.

CREATE TABLE audits (
    run_id     TEXT PRIMARY KEY REFERENCES runs (id),
    report     TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
