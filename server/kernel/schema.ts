/**
 * The tables every subject builds on, as the migrations made them (server/database.ts lists the
 * migrations in order; a shipped migration is never edited): settings, communities and their
 * grids and grid workers, the journal, and the hourly service metrics.
 */

/** Migration 1: settings (`meta`), communities, grids (GeoJSON), grid workers. */
export const COMMUNITY_SQL = `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

  CREATE TABLE communities (
    id TEXT PRIMARY KEY,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    center_lng REAL NOT NULL,
    center_lat REAL NOT NULL,
    created_at INTEGER NOT NULL
  );

  CREATE TABLE grids (
    id TEXT PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    geometry TEXT NOT NULL,
    worker_id TEXT
  );

  CREATE TABLE workers (
    id TEXT PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    name TEXT NOT NULL,
    phone TEXT,
    grid_id TEXT REFERENCES grids(id)
  );
`;

/** Migration 1: the journal, of grid events alone at first. */
export const JOURNAL_SQL = `
  CREATE TABLE journal (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    community_id TEXT NOT NULL,
    type TEXT NOT NULL,
    event_id INTEGER NOT NULL,
    action TEXT,
    from_status TEXT
  );
  CREATE INDEX journal_community ON journal(community_id, seq);
  CREATE INDEX journal_at ON journal(at);
`;

/** Migration 2: the journal rebuilt to hold every subject's entries, its seqs and high-water mark kept. */
export const JOURNAL_SUBJECTS_SQL = `
  -- The journal now also records subjects other than grid events. A row names either a
  -- grid event (event_id) or another entity (entity, entity_id), never both: the grid-event
  -- replay and read models JOIN events on event_id, which leaves the other rows out.
  -- SQLite cannot drop NOT NULL in place, so the table is rebuilt with its seqs and its
  -- AUTOINCREMENT high-water mark, so a seq is never handed out twice.
  CREATE TABLE journal_v2 (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    community_id TEXT NOT NULL,
    type TEXT NOT NULL,
    event_id INTEGER,
    action TEXT,
    from_status TEXT,
    entity TEXT,
    entity_id INTEGER,
    data TEXT,
    CHECK ((event_id IS NULL) <> (entity IS NULL))
  );
  INSERT INTO journal_v2 (seq, at, community_id, type, event_id, action, from_status)
    SELECT seq, at, community_id, type, event_id, action, from_status FROM journal;
  DELETE FROM sqlite_sequence WHERE name = 'journal_v2';
  INSERT INTO sqlite_sequence (name, seq) SELECT 'journal_v2', seq FROM sqlite_sequence WHERE name = 'journal';
  DROP TABLE journal;
  ALTER TABLE journal_v2 RENAME TO journal;
  CREATE INDEX journal_community ON journal(community_id, seq);
  CREATE INDEX journal_at ON journal(at);
  CREATE INDEX journal_entity ON journal(entity, entity_id) WHERE entity IS NOT NULL;
`;

/**
 * Migration 3, service metrics (服务指标): hourly rollups per community, subject and grid, added
 * to in the transaction of each change that moves them (server/kernel/metrics.ts). Daily and monthly
 * figures are sums of hours; nothing scans the service tables to draw a wall.
 */
export const METRICS_SQL = `
  CREATE TABLE metrics_hourly (
    community_id TEXT NOT NULL,
    hour INTEGER NOT NULL,
    subject TEXT NOT NULL CHECK (subject IN ('community', 'org', 'social_worker', 'volunteer', 'charity')),
    -- '' when the change belongs to no grid
    grid_id TEXT NOT NULL DEFAULT '',
    services INTEGER NOT NULL DEFAULT 0,
    beneficiaries INTEGER NOT NULL DEFAULT 0,
    service_minutes INTEGER NOT NULL DEFAULT 0,
    sat_sum INTEGER NOT NULL DEFAULT 0,
    sat_n INTEGER NOT NULL DEFAULT 0,
    response_ms INTEGER NOT NULL DEFAULT 0,
    response_n INTEGER NOT NULL DEFAULT 0,
    needs_raised INTEGER NOT NULL DEFAULT 0,
    needs_met INTEGER NOT NULL DEFAULT 0,
    raised_cents INTEGER NOT NULL DEFAULT 0,
    disbursed_cents INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (community_id, hour, subject, grid_id)
  ) WITHOUT ROWID;

  -- Volunteer service recorded before the rollups existed.
  INSERT INTO metrics_hourly (community_id, hour, subject, grid_id, services, beneficiaries, service_minutes)
    SELECT r.community_id, (r.issued_at / 3600000) * 3600000, 'volunteer', COALESCE(a.grid_id, ''),
           COUNT(*), 0, CAST(SUM(r.hours) * 60 AS INTEGER)
      FROM service_records r JOIN activities a ON a.id = r.activity_id
     GROUP BY 1, 2, 3, 4;
`;

/**
 * Migration 10: a grid worker retired (退出) by an admin keeps their records and history but is
 * not suggested for dispatch, nor linked to a new account.
 */
export const WORKER_STATUS_SQL = `
  ALTER TABLE workers ADD COLUMN status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired'));
`;
