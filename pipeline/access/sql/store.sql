-- The team store's own bookkeeping (pipeline.access.store).

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
