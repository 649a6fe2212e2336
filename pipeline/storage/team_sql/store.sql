-- The team store's own bookkeeping and connection settings (pipeline.storage.team).

-- name: create_migrations_table
CREATE TABLE IF NOT EXISTS team_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
);

-- name: applied_versions
SELECT version FROM team_migrations ORDER BY version;

-- name: record_migration
INSERT INTO team_migrations (version, name, applied_at) VALUES (:version, :name, :applied_at);

-- name: wait_for_writers
-- How long a write waits for another process's write (milliseconds; BUSY_TIMEOUT_SECONDS).
PRAGMA busy_timeout = 10000;

-- name: write_ahead_log
PRAGMA journal_mode = WAL;

-- name: enforce_foreign_keys
PRAGMA foreign_keys = ON;

-- name: begin_write
-- Takes the write lock at once: a reader that would write later cannot deadlock another.
BEGIN IMMEDIATE;

-- name: commit
COMMIT;

-- name: rollback
ROLLBACK;
