-- Remote workspaces: how to reach a workspace that is a remote URL (the URL, the name of
-- the environment variable holding its token or the path of its SSH key, and its forge:
-- GitHub or GitLab, API base URL, repository), as JSON; NULL for a local repository.
-- Never a credential: only where to find one.
-- Pushes: the branch of an applied run pushed to its workspace's remote, and the pull
-- (merge) request opened for it, or why none could be opened.
-- Never edit once applied; add a new numbered file.

ALTER TABLE workspaces ADD COLUMN remote TEXT;

CREATE TABLE pushes (
    run_id           TEXT PRIMARY KEY REFERENCES runs (id),
    remote           TEXT NOT NULL,
    branch           TEXT NOT NULL,
    pull_request_url TEXT,
    error            TEXT,
    pushed_at        TIMESTAMPTZ NOT NULL
);
