/** The grid events' tables, as migration 1 made them (server/database.ts lists the migrations). */

/** Migration 1: grid events and their history (who took each action, when, with which note). */
export const EVENTS_SQL = `
  CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    community_id TEXT NOT NULL REFERENCES communities(id),
    grid_id TEXT REFERENCES grids(id),
    category TEXT NOT NULL,
    subcategory TEXT,
    urgency TEXT NOT NULL,
    source TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    address TEXT,
    lat REAL,
    lng REAL,
    reporter_name TEXT,
    reporter_phone TEXT,
    external_id TEXT,
    status TEXT NOT NULL,
    assignee_id TEXT REFERENCES workers(id),
    pending TEXT,
    shelved_from TEXT,
    shelved_at INTEGER,
    reported_at INTEGER NOT NULL,
    accepted_at INTEGER,
    dispatched_at INTEGER,
    resolved_at INTEGER,
    closed_at INTEGER,
    reviewed_at INTEGER,
    dispatch_due_at INTEGER,
    handle_due_at INTEGER,
    on_time INTEGER,
    satisfaction INTEGER,
    overdue INTEGER NOT NULL DEFAULT 0,
    reminded_at INTEGER,
    reminded_due INTEGER,
    escalated_at INTEGER,
    version INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX events_external ON events(community_id, source, external_id) WHERE external_id IS NOT NULL;
  CREATE INDEX events_status ON events(community_id, status);
  CREATE INDEX events_reported ON events(community_id, reported_at);
  CREATE INDEX events_accepted ON events(accepted_at) WHERE accepted_at IS NOT NULL;
  CREATE INDEX events_closed ON events(closed_at) WHERE closed_at IS NOT NULL;
  CREATE INDEX events_reviewed ON events(reviewed_at) WHERE reviewed_at IS NOT NULL;

  CREATE TABLE event_history (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id),
    at INTEGER NOT NULL,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    actor TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    note TEXT,
    data TEXT
  );
  CREATE INDEX event_history_event ON event_history(event_id, id);
`;

/**
 * Migration 8: the sign-for (签收) of a dispatched case, with the time of the last dispatch that
 * starts its clock; a report merged into the open case it duplicates (并案).
 */
export const EVENTS_SIGN_FOR_SQL = `
  ALTER TABLE events ADD COLUMN assigned_at INTEGER;
  ALTER TABLE events ADD COLUMN signed_at INTEGER;
  ALTER TABLE events ADD COLUMN duplicate_of INTEGER REFERENCES events(id);
  CREATE INDEX events_duplicate_of ON events(duplicate_of) WHERE duplicate_of IS NOT NULL;
  UPDATE events SET assigned_at = dispatched_at WHERE dispatched_at IS NOT NULL;
  UPDATE events SET signed_at = COALESCE(assigned_at, dispatched_at) WHERE status NOT IN ('reported', 'accepted', 'rejected', 'dispatched', 'returned');
`;

/**
 * Migration 12: the desk's numbers (server/events/desk-stats.ts) read a period by the instant a
 * figure is about — accepted, first dispatched, signed for, resolved, called back — and the
 * returns (退单 · 回退 · 退回) by when they happened, so each reads the period's rows, not the
 * community's whole history (migration 1's single-column indexes lost to `events_reported`).
 */
export const EVENTS_DESK_STATS_SQL = `
  CREATE INDEX events_accepted_in ON events(community_id, accepted_at) WHERE accepted_at IS NOT NULL;
  CREATE INDEX events_dispatched_in ON events(community_id, dispatched_at) WHERE dispatched_at IS NOT NULL;
  CREATE INDEX events_signed_in ON events(community_id, signed_at) WHERE signed_at IS NOT NULL;
  CREATE INDEX events_resolved_in ON events(community_id, resolved_at) WHERE resolved_at IS NOT NULL;
  CREATE INDEX events_reviewed_in ON events(community_id, reviewed_at) WHERE reviewed_at IS NOT NULL;
  CREATE INDEX event_history_returns ON event_history(at) WHERE action IN ('reject', 'send_back', 'return');
`;

/**
 * Migration 13: photos on a case (server/events/photos.ts). The bytes are a file under the data
 * directory (`photos/<event_id>/<sha256>.<ext>`); the row says whose, what and when. A retried
 * upload names the same idempotency key and finds its row: the key is unique per case.
 */
export const EVENT_PHOTOS_SQL = `
  CREATE TABLE event_photos (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id),
    sha256 TEXT NOT NULL,
    type TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    name TEXT NOT NULL,
    by TEXT NOT NULL,
    at INTEGER NOT NULL,
    idempotency_key TEXT
  );
  CREATE INDEX event_photos_of ON event_photos(event_id);
  CREATE UNIQUE INDEX event_photos_key ON event_photos(event_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
`;

/**
 * Migration 24: a photo's stage in the case's handling — taken before the work or after it (the
 * evidence of 办结) — when the tablet says so; null for photos added without one.
 */
export const EVENT_PHOTO_STAGE_SQL = `
  ALTER TABLE event_photos ADD COLUMN stage TEXT CHECK (stage IN ('before', 'after'));
`;
