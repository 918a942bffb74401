/**
 * Migration 28: the accounted-for board (shared/emergency-board.ts). A row per (incident,
 * household) holds the household's current status, the version status reports move, the claim
 * on its door and the escalation of a "no answer"; every status report is a row of its own in
 * `board_reports` (who, source, when, note), never changed. A household's self-report link is
 * kept as the SHA-256 of its token only.
 */
export const BOARD_SQL = `
  CREATE TABLE board_households (
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    household_id INTEGER NOT NULL REFERENCES households(id),
    community_id TEXT NOT NULL,
    -- the household's grid when it joined the board
    grid_id TEXT NOT NULL,
    priority INTEGER NOT NULL CHECK (priority IN (1, 2, 3)),
    status TEXT NOT NULL DEFAULT 'unknown' CHECK (status IN ('unknown', 'safe', 'needs_help', 'no_answer', 'sheltered', 'away')),
    -- moved by status reports only
    version INTEGER NOT NULL DEFAULT 1,
    source TEXT CHECK (source IN ('knock', 'call', 'self', 'sensor')),
    reported_by TEXT,
    reported_at INTEGER,
    note TEXT NOT NULL DEFAULT '',
    -- the urgent case a "needs help" opened
    event_id INTEGER,
    escalation TEXT CHECK (escalation IN ('retry', 'call_contact', 'visit_two')),
    escalate_at INTEGER,
    claimed_by TEXT,
    claimed_at INTEGER,
    added_at INTEGER NOT NULL,
    PRIMARY KEY (incident_id, household_id),
    CHECK ((claimed_by IS NULL) = (claimed_at IS NULL))
  ) WITHOUT ROWID;
  CREATE INDEX board_households_grid ON board_households(incident_id, grid_id, status);
  CREATE INDEX board_households_due ON board_households(escalate_at) WHERE escalate_at IS NOT NULL;

  CREATE TABLE board_reports (
    id INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL,
    household_id INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('safe', 'needs_help', 'no_answer', 'sheltered', 'away')),
    source TEXT NOT NULL CHECK (source IN ('knock', 'call', 'self', 'sensor')),
    -- a username, or 'self' for the resident's own link
    by TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    -- when it was found (a tablet's report may come later), and when it came
    at INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    -- the household's status version this report made
    version INTEGER NOT NULL,
    FOREIGN KEY (incident_id, household_id) REFERENCES board_households(incident_id, household_id)
  );
  CREATE INDEX board_reports_household ON board_reports(incident_id, household_id, id);

  CREATE TABLE board_links (
    incident_id INTEGER NOT NULL,
    household_id INTEGER NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    issued_by TEXT NOT NULL,
    issued_at INTEGER NOT NULL,
    used_at INTEGER,
    PRIMARY KEY (incident_id, household_id),
    FOREIGN KEY (incident_id, household_id) REFERENCES board_households(incident_id, household_id)
  ) WITHOUT ROWID;
`;
