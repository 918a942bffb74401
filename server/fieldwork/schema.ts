/**
 * Migration 26: a grid worker's field logs (shared/fieldwork.ts). A patrol is one row, logged
 * when it ends, its notes a JSON list; a visit is one row with its structured answers. Both name
 * the account that logged them (`by`) and its grid-worker record; no position trace is kept.
 */
export const FIELDWORK_SQL = `
  CREATE TABLE patrols (
    id INTEGER PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    grid_id TEXT NOT NULL REFERENCES grids(id),
    by TEXT NOT NULL,
    worker_id TEXT,
    started_at INTEGER NOT NULL,
    ended_at INTEGER NOT NULL,
    route TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '[]',
    summary TEXT NOT NULL DEFAULT '',
    at INTEGER NOT NULL,
    CHECK (ended_at >= started_at)
  );
  CREATE INDEX patrols_community ON patrols(community_id, started_at);
  CREATE INDEX patrols_by ON patrols(by, started_at);

  CREATE TABLE visits (
    id INTEGER PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    grid_id TEXT NOT NULL REFERENCES grids(id),
    by TEXT NOT NULL,
    worker_id TEXT,
    household_id INTEGER,
    resident_id INTEGER,
    address TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL CHECK (kind IN ('routine', 'key_population', 'follow_up', 'complaint')),
    visited_at INTEGER NOT NULL,
    met INTEGER NOT NULL CHECK (met IN (0, 1)),
    safety TEXT NOT NULL CHECK (safety IN ('ok', 'concern', 'danger')),
    health TEXT NOT NULL CHECK (health IN ('good', 'fair', 'poor')),
    living TEXT NOT NULL CHECK (living IN ('ok', 'difficult')),
    note TEXT NOT NULL DEFAULT '',
    follow_up INTEGER NOT NULL DEFAULT 0 CHECK (follow_up IN (0, 1)),
    at INTEGER NOT NULL
  );
  CREATE INDEX visits_community ON visits(community_id, visited_at);
  CREATE INDEX visits_by ON visits(by, visited_at);
  CREATE INDEX visits_household ON visits(household_id, visited_at) WHERE household_id IS NOT NULL;
`;
