-- What a run needs to be worked, reviewed and applied by any worker after a restart.
-- Never edit once applied; add a new numbered file.

ALTER TABLE runs ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN target_branch TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN batches BIGINT NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN files BIGINT NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN qa JSONB NOT NULL DEFAULT '{}';
ALTER TABLE runs ADD COLUMN commit_id TEXT;
ALTER TABLE runs ADD COLUMN finished_at TIMESTAMPTZ;

-- The edited text of a change, committed by apply.
ALTER TABLE changes ADD COLUMN new_content TEXT;

-- Files a run did not edit, and why (budget, not UTF-8, not a page, ...).
CREATE TABLE skipped (
    run_id TEXT NOT NULL REFERENCES runs (id),
    path   TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (run_id, path)
);

-- An edit made by a task, waiting for the run's QA; replaced by a change.
CREATE TABLE drafts (
    run_id      TEXT NOT NULL REFERENCES runs (id),
    path        TEXT NOT NULL,
    base_blob   TEXT NOT NULL,
    new_content TEXT NOT NULL,
    attempts    JSONB NOT NULL,
    PRIMARY KEY (run_id, path)
);

-- The edit batches of a run that are done; the last one queues the run's QA.
CREATE TABLE batches_done (
    run_id TEXT NOT NULL REFERENCES runs (id),
    batch  BIGINT NOT NULL,
    PRIMARY KEY (run_id, batch)
);
