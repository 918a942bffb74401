/**
 * Migration 29: emergency people and places (shared/emergency-people.ts). A call-out names the
 * skills and grids it was for; each volunteer it matched has a row of their own with their
 * answer and their duty (from, to). Shelters belong to an incident or stand ready (no
 * incident); their check-ins and check-outs are rows of head counts (no names), and their
 * supplies a ledger of signed movements: what is on hand is the sum, never a column.
 */
export const PEOPLE_SQL = `
  CREATE TABLE callouts (
    id INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    community_id TEXT NOT NULL REFERENCES communities(id),
    -- JSON lists; empty: any skill, any grid
    skills TEXT NOT NULL DEFAULT '[]',
    grids TEXT NOT NULL DEFAULT '[]',
    message TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX callouts_incident ON callouts(incident_id, id);

  CREATE TABLE callout_answers (
    callout_id INTEGER NOT NULL REFERENCES callouts(id),
    volunteer_id INTEGER NOT NULL REFERENCES volunteers(id),
    -- NULL until they answer
    answer TEXT CHECK (answer IN ('accepted', 'declined')),
    answered_at INTEGER,
    on_duty_from INTEGER,
    on_duty_to INTEGER,
    PRIMARY KEY (callout_id, volunteer_id),
    CHECK ((answer IS NULL) = (answered_at IS NULL)),
    CHECK (on_duty_to IS NULL OR on_duty_from IS NOT NULL)
  ) WITHOUT ROWID;
  CREATE INDEX callout_answers_volunteer ON callout_answers(volunteer_id);

  CREATE TABLE shelters (
    id INTEGER PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    -- NULL: a standing shelter, shown in every incident
    incident_id INTEGER REFERENCES incidents(id),
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    grid_id TEXT REFERENCES grids(id),
    area_m2 REAL CHECK (area_m2 > 0),
    -- set by hand; NULL: floor(area / 3.5)
    capacity_set INTEGER CHECK (capacity_set >= 0),
    needs TEXT NOT NULL DEFAULT '[]',
    open INTEGER NOT NULL DEFAULT 1 CHECK (open IN (0, 1)),
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX shelters_community ON shelters(community_id, incident_id);

  CREATE TABLE shelter_check_ins (
    id INTEGER PRIMARY KEY,
    shelter_id INTEGER NOT NULL REFERENCES shelters(id),
    -- the incident active when they came or left, if any
    incident_id INTEGER REFERENCES incidents(id),
    -- + in, - out
    people INTEGER NOT NULL CHECK (people <> 0),
    households INTEGER NOT NULL DEFAULT 0,
    by TEXT NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE INDEX shelter_check_ins_shelter ON shelter_check_ins(shelter_id);

  -- An item a shelter keeps: its unit and the threshold below which it is running low.
  CREATE TABLE shelter_items (
    shelter_id INTEGER NOT NULL REFERENCES shelters(id),
    item TEXT NOT NULL,
    unit TEXT NOT NULL,
    low_below INTEGER CHECK (low_below >= 0),
    PRIMARY KEY (shelter_id, item)
  ) WITHOUT ROWID;

  CREATE TABLE shelter_supplies (
    id INTEGER PRIMARY KEY,
    shelter_id INTEGER NOT NULL,
    item TEXT NOT NULL,
    -- + in, - out
    delta INTEGER NOT NULL CHECK (delta <> 0),
    on_hand_after INTEGER NOT NULL CHECK (on_hand_after >= 0),
    reason TEXT NOT NULL DEFAULT '',
    by TEXT NOT NULL,
    at INTEGER NOT NULL,
    FOREIGN KEY (shelter_id, item) REFERENCES shelter_items(shelter_id, item)
  );
  CREATE INDEX shelter_supplies_item ON shelter_supplies(shelter_id, item, id);
`;
