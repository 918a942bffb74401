/**
 * Migration 3, the three lists' needs and resources (需求清单 · 资源清单) and the matches
 * between them. Projects (项目清单) live with organizations (server/orgs/schema.ts); a need met by a
 * single person becomes a task.
 */
export const NEEDS_SQL = `
  CREATE TABLE needs (
    id INTEGER PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    code TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL,
    -- skills wanted of whoever meets it (free words like those of volunteers), JSON array
    skills TEXT NOT NULL DEFAULT '[]',
    urgency TEXT NOT NULL CHECK (urgency IN ('low', 'normal', 'high', 'urgent')),
    grid_id TEXT REFERENCES grids(id),
    address TEXT,
    -- who raised it: a resident (through staff or the hotline), a grid worker, a social worker
    raised_by_kind TEXT NOT NULL CHECK (raised_by_kind IN ('resident', 'grid_worker', 'social_worker', 'org')),
    raised_by TEXT NOT NULL,
    resident_name TEXT,
    resident_phone TEXT,
    populations TEXT NOT NULL DEFAULT '[]',
    beneficiaries INTEGER NOT NULL DEFAULT 1 CHECK (beneficiaries > 0),
    -- raised → matched → in_progress → met → rated; closed: withdrawn or not met
    status TEXT NOT NULL CHECK (status IN ('raised', 'matched', 'in_progress', 'met', 'rated', 'closed')),
    -- the subject that took it on (set when a match is accepted)
    met_by TEXT CHECK (met_by IN ('community', 'org', 'social_worker', 'volunteer', 'charity')),
    -- the resource of the accepted match, while and after it serves the need
    resource_id INTEGER REFERENCES resources(id),
    -- why a closed need was closed: withdrawn by the resident, or not met
    close_reason TEXT CHECK (close_reason IN ('withdrawn', 'not_met')),
    satisfaction INTEGER CHECK (satisfaction BETWEEN 1 AND 5),
    due_at INTEGER,
    raised_at INTEGER NOT NULL,
    matched_at INTEGER,
    started_at INTEGER,
    met_at INTEGER,
    rated_at INTEGER,
    closed_at INTEGER,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
  );
  CREATE INDEX needs_community ON needs(community_id, status);
  CREATE INDEX needs_raised ON needs(community_id, raised_at);
  CREATE INDEX needs_met ON needs(community_id, met_at) WHERE met_at IS NOT NULL;
  CREATE INDEX needs_due ON needs(community_id, due_at) WHERE status IN ('raised', 'matched', 'in_progress');

  CREATE TABLE resources (
    id INTEGER PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    provider_kind TEXT NOT NULL CHECK (provider_kind IN ('org', 'volunteer', 'team', 'social_worker', 'donor', 'community')),
    provider_id INTEGER,
    provider_name TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL,
    skills TEXT NOT NULL DEFAULT '[]',
    grid_id TEXT REFERENCES grids(id),
    -- when it can be used: JSON {"days":[1..7],"from":"HH:MM","to":"HH:MM"}; null = any time
    availability TEXT,
    -- how many needs it can serve at once; in_use counts the accepted, unfinished ones
    capacity INTEGER NOT NULL DEFAULT 1 CHECK (capacity > 0),
    in_use INTEGER NOT NULL DEFAULT 0 CHECK (in_use >= 0 AND in_use <= capacity),
    status TEXT NOT NULL CHECK (status IN ('available', 'paused', 'withdrawn')),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX resources_community ON resources(community_id, status, category);

  CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    need_id INTEGER NOT NULL REFERENCES needs(id),
    resource_id INTEGER NOT NULL REFERENCES resources(id),
    assignee_kind TEXT NOT NULL CHECK (assignee_kind IN ('org', 'volunteer', 'team', 'social_worker', 'donor', 'community')),
    assignee_id INTEGER,
    title TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'done', 'cancelled')),
    due_at INTEGER,
    created_at INTEGER NOT NULL,
    done_at INTEGER,
    note TEXT
  );
  CREATE INDEX tasks_need ON tasks(need_id);
  CREATE INDEX tasks_community ON tasks(community_id, status, id);

  CREATE TABLE matches (
    id INTEGER PRIMARY KEY,
    need_id INTEGER NOT NULL REFERENCES needs(id),
    resource_id INTEGER NOT NULL REFERENCES resources(id),
    score REAL NOT NULL,
    reasons TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL CHECK (status IN ('proposed', 'accepted', 'declined')),
    project_id INTEGER REFERENCES projects(id),
    task_id INTEGER REFERENCES tasks(id),
    proposed_at INTEGER NOT NULL,
    decided_at INTEGER,
    decided_by TEXT,
    note TEXT,
    UNIQUE (need_id, resource_id)
  );
  CREATE INDEX matches_resource ON matches(resource_id, status);
`;
