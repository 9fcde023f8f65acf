-- Scheduled runs: one row per job and cron slot, inserted by the scheduler that starts
-- the slot's run. The primary key makes the insert a claim only one process wins, so a
-- slot starts one run however many servers and workers watch the schedule.
-- Never edit once applied; add a new numbered file.

CREATE TABLE schedule_slots (
    spec       TEXT NOT NULL,
    slot       TIMESTAMPTZ NOT NULL,
    claimed_by TEXT NOT NULL,
    claimed_at TIMESTAMPTZ NOT NULL,
    -- The run the slot started; NULL until it is planned, or when planning failed.
    run_id     TEXT,
    -- Why planning failed (redacted), else NULL.
    error      TEXT,
    PRIMARY KEY (spec, slot)
);
