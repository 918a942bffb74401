/**
 * Migration 27: emergency incidents (shared/emergency.ts). An incident is one row, changed in
 * place as it is updated and ended, with a version that moves on every step; each step (a CAP
 * Alert, Update or Cancel) is a row of its own with what it changed, who and when. At most one
 * incident of a community is active: a partial unique index holds to it whatever the code does.
 */
export const INCIDENTS_SQL = `
  CREATE TABLE incidents (
    id INTEGER PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    type TEXT NOT NULL CHECK (type IN ('typhoon', 'heat', 'fire', 'gas', 'epidemic', 'outage', 'earthquake', 'other')),
    level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
    drill INTEGER NOT NULL DEFAULT 0 CHECK (drill IN (0, 1)),
    -- A JSON list of grid ids; NULL is the whole community.
    grids TEXT,
    headline TEXT NOT NULL,
    instructions TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('active', 'ended')),
    declared_by TEXT NOT NULL,
    declared_at INTEGER NOT NULL,
    ended_by TEXT,
    ended_at INTEGER,
    summary TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at INTEGER NOT NULL,
    CHECK ((status = 'ended') = (ended_at IS NOT NULL))
  );
  CREATE UNIQUE INDEX incidents_one_active ON incidents(community_id) WHERE status = 'active';
  CREATE INDEX incidents_community ON incidents(community_id, declared_at);

  CREATE TABLE incident_steps (
    id INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    step TEXT NOT NULL CHECK (step IN ('alert', 'update', 'cancel')),
    version INTEGER NOT NULL,
    -- JSON: { field: [before, after] }
    changes TEXT NOT NULL DEFAULT '{}',
    by TEXT NOT NULL,
    at INTEGER NOT NULL,
    UNIQUE (incident_id, version)
  );
`;
