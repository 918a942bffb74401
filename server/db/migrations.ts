/**
 * Versioned migrations, applied in order inside one transaction each. Never edit a migration
 * that has shipped: add a new one.
 */
import { VOLUNTEERS_SQL } from './schema/volunteers.ts';
import { NEEDS_SQL } from './schema/needs.ts';
import { ORGS_SQL } from './schema/orgs.ts';
import { CHARITY_SQL } from './schema/charity.ts';
import { METRICS_SQL } from './schema/metrics.ts';
import { AUTH_SQL } from './schema/auth.ts';
import { KNOWN_NAMES_SQL } from './schema/known-names.ts';
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'grid events, journal',
    sql: `
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
    `,
  },
  {
    version: 2,
    name: 'volunteer ledger: volunteers, activities, service records, points, exchange',
    sql: `
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

      CREATE TABLE volunteer_teams (
        id INTEGER PRIMARY KEY,
        community_id TEXT NOT NULL REFERENCES communities(id),
        name TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        UNIQUE (community_id, name)
      );

      CREATE TABLE volunteers (
        id INTEGER PRIMARY KEY,
        community_id TEXT NOT NULL REFERENCES communities(id),
        name TEXT NOT NULL,
        phone TEXT NOT NULL,
        id_number TEXT,
        skills TEXT NOT NULL DEFAULT '[]',
        team_id INTEGER REFERENCES volunteer_teams(id),
        status TEXT NOT NULL CHECK (status IN ('active', 'paused', 'left')),
        registered_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX volunteers_community ON volunteers(community_id, status);
      CREATE INDEX volunteers_team ON volunteers(team_id) WHERE team_id IS NOT NULL;
      -- One registration per person (by resident ID number) in a community.
      CREATE UNIQUE INDEX volunteers_id_number ON volunteers(community_id, id_number) WHERE id_number IS NOT NULL;

      CREATE TABLE activities (
        id INTEGER PRIMARY KEY,
        community_id TEXT NOT NULL REFERENCES communities(id),
        title TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        organiser TEXT NOT NULL,
        starts_at INTEGER NOT NULL,
        ends_at INTEGER NOT NULL,
        place TEXT NOT NULL,
        grid_id TEXT REFERENCES grids(id),
        capacity INTEGER NOT NULL CHECK (capacity > 0),
        skills_wanted TEXT NOT NULL DEFAULT '[]',
        points_per_hour INTEGER NOT NULL CHECK (points_per_hour >= 0),
        status TEXT NOT NULL CHECK (status IN ('planned', 'open', 'closed', 'cancelled')),
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        CHECK (ends_at > starts_at)
      );
      CREATE INDEX activities_starts ON activities(community_id, starts_at);
      CREATE INDEX activities_status ON activities(community_id, status);

      CREATE TABLE activity_signups (
        id INTEGER PRIMARY KEY,
        activity_id INTEGER NOT NULL REFERENCES activities(id),
        volunteer_id INTEGER NOT NULL REFERENCES volunteers(id),
        status TEXT NOT NULL CHECK (status IN ('signed_up', 'checked_in', 'checked_out', 'cancelled', 'no_show')),
        signed_up_at INTEGER NOT NULL,
        checked_in_at INTEGER,
        checked_out_at INTEGER,
        UNIQUE (activity_id, volunteer_id)
      );
      CREATE INDEX activity_signups_volunteer ON activity_signups(volunteer_id, status);
      -- Who is on duty now: the checked-in participations.
      CREATE INDEX activity_signups_on_duty ON activity_signups(checked_in_at) WHERE status = 'checked_in';

      -- The double-entry points ledger. A transaction's entries sum to zero; an account's
      -- balance is the SUM of its entries, cached in points_accounts.balance by the same write
      -- (a test holds the two together). A volunteer's account can never go below zero.
      CREATE TABLE points_accounts (
        id INTEGER PRIMARY KEY,
        community_id TEXT NOT NULL REFERENCES communities(id),
        kind TEXT NOT NULL CHECK (kind IN ('volunteer', 'issuance', 'redemption')),
        owner_id INTEGER,
        balance INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        CHECK ((kind = 'volunteer') = (owner_id IS NOT NULL)),
        CHECK (kind <> 'volunteer' OR balance >= 0)
      );
      CREATE UNIQUE INDEX points_accounts_owner ON points_accounts(kind, owner_id) WHERE owner_id IS NOT NULL;
      CREATE UNIQUE INDEX points_accounts_system ON points_accounts(community_id, kind) WHERE owner_id IS NULL;

      CREATE TABLE points_txns (
        id INTEGER PRIMARY KEY,
        community_id TEXT NOT NULL REFERENCES communities(id),
        kind TEXT NOT NULL CHECK (kind IN ('earn', 'redeem')),
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        memo TEXT
      );
      CREATE INDEX points_txns_at ON points_txns(community_id, at);

      CREATE TABLE points_entries (
        id INTEGER PRIMARY KEY,
        txn_id INTEGER NOT NULL REFERENCES points_txns(id),
        account_id INTEGER NOT NULL REFERENCES points_accounts(id),
        amount INTEGER NOT NULL CHECK (amount <> 0),
        at INTEGER NOT NULL,
        memo TEXT
      );
      CREATE INDEX points_entries_account ON points_entries(account_id, id);
      CREATE INDEX points_entries_txn ON points_entries(txn_id);

      CREATE TABLE service_records (
        id INTEGER PRIMARY KEY,
        community_id TEXT NOT NULL REFERENCES communities(id),
        volunteer_id INTEGER NOT NULL REFERENCES volunteers(id),
        activity_id INTEGER NOT NULL REFERENCES activities(id),
        signup_id INTEGER NOT NULL UNIQUE REFERENCES activity_signups(id),
        hours REAL NOT NULL CHECK (hours > 0 AND hours * 2 = CAST(hours * 2 AS INTEGER)),
        points INTEGER NOT NULL CHECK (points >= 0),
        content TEXT NOT NULL,
        certificate_no TEXT NOT NULL UNIQUE,
        issued_at INTEGER NOT NULL,
        issuer TEXT NOT NULL,
        recorded_by TEXT NOT NULL,
        txn_id INTEGER REFERENCES points_txns(id)
      );
      CREATE INDEX service_records_volunteer ON service_records(volunteer_id, issued_at);
      CREATE INDEX service_records_issued ON service_records(community_id, issued_at);

      CREATE TABLE exchange_items (
        id INTEGER PRIMARY KEY,
        community_id TEXT NOT NULL REFERENCES communities(id),
        name TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        points_cost INTEGER NOT NULL CHECK (points_cost > 0),
        stock INTEGER NOT NULL CHECK (stock >= 0),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX exchange_items_community ON exchange_items(community_id);

      CREATE TABLE redemptions (
        id INTEGER PRIMARY KEY,
        community_id TEXT NOT NULL REFERENCES communities(id),
        volunteer_id INTEGER NOT NULL REFERENCES volunteers(id),
        item_id INTEGER NOT NULL REFERENCES exchange_items(id),
        quantity INTEGER NOT NULL CHECK (quantity > 0),
        points INTEGER NOT NULL CHECK (points > 0),
        txn_id INTEGER NOT NULL REFERENCES points_txns(id),
        at INTEGER NOT NULL,
        actor TEXT NOT NULL
      );
      CREATE INDEX redemptions_volunteer ON redemptions(volunteer_id, id);
      CREATE INDEX redemptions_community ON redemptions(community_id, at);
    `,
  },
  {
    version: 3,
    name: 'the five subjects: organizations, social workers, projects, charity, needs and resources, service metrics',
    // Needs first: projects, cases, services and donations may name the need they meet.
    sql: [VOLUNTEERS_SQL, NEEDS_SQL, ORGS_SQL, CHARITY_SQL, METRICS_SQL].join('\n'),
  },
  {
    version: 4,
    name: 'accounts, sessions, paired displays, API keys, the audit log',
    sql: AUTH_SQL,
  },
  {
    version: 5,
    name: 'login devices: browsers that logged in before are not locked out by others sharing their address',
    sql: `
      CREATE TABLE login_devices (
        token_hash TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        created_at INTEGER NOT NULL,
        last_used_at INTEGER NOT NULL
      );
      CREATE INDEX login_devices_user ON login_devices(user_id);
    `,
  },
  {
    version: 6,
    name: 'a social worker\'s account names the social-worker record it is',
    sql: 'ALTER TABLE users ADD COLUMN social_worker_id INTEGER REFERENCES social_workers(id);',
  },
  {
    version: 7,
    name: 'the names the community knows, kept by triggers, for masking free text on the wall',
    sql: KNOWN_NAMES_SQL,
  },
];
