-- The audit trail: who signed in, read quotes as written, exported, or changed the codebook,
-- the access list or a coding, and when. Rows are only ever added.
CREATE TABLE audit_events (
    event_id INTEGER PRIMARY KEY AUTOINCREMENT,
    occurred_at TEXT NOT NULL,  -- ISO 8601 in UTC, microseconds: sorts as it reads
    person TEXT NOT NULL,       -- the e-mail address signed in, or the operating-system user
    role TEXT,                  -- the role they acted in; NULL when the access list had none
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    via TEXT NOT NULL CHECK (via IN ('viewer', 'cli'))
);

CREATE INDEX audit_events_by_time ON audit_events (occurred_at);

CREATE INDEX audit_events_by_person ON audit_events (person, occurred_at);

-- Append-only, whoever holds the file: a change or a deletion is refused by the store itself.
CREATE TRIGGER audit_events_refuse_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only: rows cannot be changed');
END;

CREATE TRIGGER audit_events_refuse_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only: rows cannot be deleted');
END;
