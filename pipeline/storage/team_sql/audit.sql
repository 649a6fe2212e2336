-- The audit trail (pipeline.access.audit). Filters bound as parameters; NULL means "any".

-- name: record_event
INSERT INTO audit_events (occurred_at, person, role, action, detail, via)
VALUES (:occurred_at, :person, :role, :action, :detail, :via);

-- name: events
SELECT event_id, occurred_at, person, role, action, detail, via
FROM audit_events
WHERE (:since IS NULL OR occurred_at >= :since)
  AND (:person IS NULL OR lower(person) = lower(:person))
  AND (:action IS NULL OR action = :action)
ORDER BY occurred_at, event_id;
