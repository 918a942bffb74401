/**
 * Migration 30: an incident's after-action report (shared/after-action.ts). Objectives rated
 * P/S/M/U (HSEEP), each rating kept with who and when; corrective actions with an owner (a
 * username), a due date (a local day), how they will be checked, and their status: open, done by
 * the owner, verified by the centre. An action is a record followed up on its owner's console,
 * so it is indexed by owner and status.
 */
export const AFTER_ACTION_SQL = `
  CREATE TABLE aar_objectives (
    id INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    community_id TEXT NOT NULL,
    title TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('P', 'S', 'M', 'U')),
    note TEXT NOT NULL DEFAULT '',
    rated_by TEXT NOT NULL,
    rated_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX aar_objectives_incident ON aar_objectives(incident_id, id);

  CREATE TABLE aar_actions (
    id INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    community_id TEXT NOT NULL,
    objective_id INTEGER REFERENCES aar_objectives(id),
    title TEXT NOT NULL,
    owner TEXT NOT NULL,
    -- a local calendar day, YYYY-MM-DD, in the community's zone
    due_date TEXT NOT NULL,
    -- how anyone will know it is done
    check_text TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'verified')),
    -- what the owner or the verifier wrote of the check
    check_note TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    closed_by TEXT,
    closed_at INTEGER,
    verified_by TEXT,
    verified_at INTEGER,
    updated_at INTEGER NOT NULL,
    CHECK ((status = 'open') = (closed_at IS NULL)),
    CHECK ((status = 'verified') = (verified_at IS NOT NULL))
  );
  CREATE INDEX aar_actions_incident ON aar_actions(incident_id, id);
  CREATE INDEX aar_actions_owner ON aar_actions(community_id, owner, status, due_date);
`;
