/**
 * Migration 25, the community register (一标三实): buildings at their standard address, the
 * households in them, the residents who live there, and the history of every correction. Every
 * row carries its version and who made and last changed it, when; a correction writes the row's
 * values before it into `register_history`, so nothing a grid worker corrects is lost.
 * Residents' names and their emergency contacts' names join `known_names` (triggers, in
 * server/privacy/schema.ts), so the wall's masker knows them.
 */
import { knownNamesTriggers } from '../privacy/schema.ts';

export const REGISTER_SQL = `
  CREATE TABLE buildings (
    id INTEGER PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    grid_id TEXT NOT NULL REFERENCES grids(id),
    -- the standard address (标准地址): 幸福路12号3栋
    address TEXT NOT NULL,
    units INTEGER NOT NULL CHECK (units >= 0),
    floors INTEGER NOT NULL CHECK (floors >= 1),
    note TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL,
    UNIQUE (community_id, address)
  );
  CREATE INDEX buildings_grid ON buildings(grid_id, id);

  CREATE TABLE households (
    id INTEGER PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    -- the building's grid, kept here so a grid worker's lists are one index away
    grid_id TEXT NOT NULL REFERENCES grids(id),
    building_id INTEGER NOT NULL REFERENCES buildings(id),
    unit TEXT,
    room TEXT NOT NULL,
    -- the building's address, the unit and the room: 幸福路12号3栋2单元302室
    address TEXT NOT NULL,
    -- owner 自住 · rented 租住 · vacant 空置 · collective 集体户 · other
    kind TEXT NOT NULL CHECK (kind IN ('owner', 'rented', 'vacant', 'collective', 'other')),
    note TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL
  );
  CREATE UNIQUE INDEX households_room ON households(building_id, COALESCE(unit, ''), room);
  CREATE INDEX households_grid ON households(grid_id, id);

  CREATE TABLE residents (
    id INTEGER PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    grid_id TEXT NOT NULL REFERENCES grids(id),
    household_id INTEGER NOT NULL REFERENCES households(id),
    name TEXT NOT NULL,
    gender TEXT NOT NULL CHECK (gender IN ('male', 'female')),
    -- a year (1948) or a date (1948-03-09)
    birth TEXT NOT NULL,
    id_number TEXT,
    phone TEXT,
    relation TEXT NOT NULL,
    -- resident 常住 · temporary 暂住 · away 外出
    residence TEXT NOT NULL CHECK (residence IN ('resident', 'temporary', 'away')),
    -- key-population tags (shared/register.ts RESIDENT_TAGS), JSON array
    tags TEXT NOT NULL DEFAULT '[]',
    emergency_name TEXT,
    emergency_phone TEXT,
    emergency_relation TEXT,
    -- evacuation needs (MOBILITY_NEEDS), JSON array, and a note
    mobility TEXT NOT NULL DEFAULT '[]',
    mobility_note TEXT,
    -- what may be shared in normal times (CONSENT_PURPOSES), JSON array; who recorded it, when
    consent TEXT NOT NULL DEFAULT '[]',
    consent_by TEXT,
    consent_at INTEGER,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL
  );
  CREATE INDEX residents_household ON residents(household_id);
  CREATE INDEX residents_grid ON residents(grid_id, id);
  CREATE INDEX residents_community ON residents(community_id, id);
  CREATE UNIQUE INDEX residents_id_number ON residents(community_id, id_number) WHERE id_number IS NOT NULL;

  -- A row as it was before each correction (its columns as JSON), with who corrected it and when.
  CREATE TABLE register_history (
    id INTEGER PRIMARY KEY,
    community_id TEXT NOT NULL,
    entity TEXT NOT NULL CHECK (entity IN ('building', 'household', 'resident')),
    entity_id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    before TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at INTEGER NOT NULL
  );
  CREATE INDEX register_history_entity ON register_history(entity, entity_id, version);
  ${knownNamesTriggers('residents')}
  ${knownNamesTriggers('residents', 'emergency_name')}
`;
