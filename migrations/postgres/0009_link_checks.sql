-- External link checks (LNK-004): the last outcome of requesting each URL, reused while
-- fresh ([links.external] cache_ok_hours / cache_broken_hours) so a scheduled audit or a
-- `sitewide check --external-links` run again soon requests nothing it knows.
-- Never edit once applied; add a new numbered file.

CREATE TABLE link_checks (
    url        TEXT PRIMARY KEY,
    checked_at TIMESTAMPTZ NOT NULL,
    ok         BOOLEAN NOT NULL,
    status     BIGINT,
    final_url  TEXT,
    error      TEXT
);
