/** The volunteer ledger's tables, as migrations 2 and 3 made them (server/database.ts lists the migrations). */

/**
 * Migration 14: an activity's check-in code, which the activity's QR code at the desk carries;
 * a volunteer's phone checks in with it (`/me`). Random, unguessable, one per activity.
 */
export const ACTIVITY_CHECK_IN_SQL = `
  ALTER TABLE activities ADD COLUMN check_in_code TEXT;
  UPDATE activities SET check_in_code = upper(hex(randomblob(6)));
  CREATE UNIQUE INDEX activities_check_in_code ON activities(check_in_code);
`;

/** Migration 2: teams, volunteers, activities and sign-ups, the points ledger, service records, the exchange. */
export const VOLUNTEER_LEDGER_SQL = `
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
`;

/** Migration 3, volunteers: when each can serve (JSON {"days":[1..7],"from":"HH:MM","to":"HH:MM"}; null = not given). */
export const VOLUNTEERS_SQL = `
  ALTER TABLE volunteers ADD COLUMN availability TEXT;
`;

/**
 * Migration 16, the exchange desk (积分超市工作台): a receipt per checkout (its number, the
 * volunteer's balance after, the cashier, and the client's idempotency key, unique per
 * community, so a retried checkout finds the receipt the first one wrote); every stock movement
 * other than a redemption, with its reason and note (stock is never edited as a number); and an
 * item's version with who changed it last, for the 409 when two cashiers edit one item.
 */
export const EXCHANGE_DESK_SQL = `
  CREATE TABLE exchange_receipts (
    id INTEGER PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    receipt_no TEXT NOT NULL UNIQUE,
    volunteer_id INTEGER NOT NULL REFERENCES volunteers(id),
    points INTEGER NOT NULL CHECK (points > 0),
    balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
    txn_id INTEGER NOT NULL REFERENCES points_txns(id),
    cashier TEXT NOT NULL,
    at INTEGER NOT NULL,
    idempotency_key TEXT
  );
  CREATE UNIQUE INDEX exchange_receipts_key ON exchange_receipts(community_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
  CREATE INDEX exchange_receipts_community ON exchange_receipts(community_id, at);
  CREATE INDEX exchange_receipts_volunteer ON exchange_receipts(volunteer_id, id);
  ALTER TABLE redemptions ADD COLUMN receipt_id INTEGER REFERENCES exchange_receipts(id);
  CREATE INDEX redemptions_receipt ON redemptions(receipt_id);

  CREATE TABLE exchange_stock_moves (
    id INTEGER PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    item_id INTEGER NOT NULL REFERENCES exchange_items(id),
    reason TEXT NOT NULL CHECK (reason IN ('purchase', 'donation', 'count', 'damaged', 'expired', 'lost', 'other')),
    quantity INTEGER NOT NULL CHECK (quantity <> 0),
    stock_after INTEGER NOT NULL CHECK (stock_after >= 0),
    note TEXT NOT NULL DEFAULT '',
    by TEXT NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE INDEX exchange_stock_moves_item ON exchange_stock_moves(item_id, id);

  ALTER TABLE exchange_items ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
  ALTER TABLE exchange_items ADD COLUMN changed_by TEXT;
  ALTER TABLE exchange_items ADD COLUMN changed_at INTEGER;
`;

/**
 * Migration 17, the coordinator's desk: a volunteer's grid; corrections of service records (a
 * new entry with its reason, never an edit of the record); period certificates (志愿服务证明)
 * with their numbers, verifiable by anyone.
 */
export const VOLUNTEER_DESK_SQL = `
  ALTER TABLE volunteers ADD COLUMN grid_id TEXT REFERENCES grids(id);
  -- Counts the volunteer's changes (profile, status, corrections): what a form sends back to be
  -- told, with a 409, that someone else changed the volunteer meanwhile.
  ALTER TABLE volunteers ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX volunteers_grid ON volunteers(grid_id) WHERE grid_id IS NOT NULL;

  CREATE TABLE service_corrections (
    id INTEGER PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    volunteer_id INTEGER NOT NULL REFERENCES volunteers(id),
    record_id INTEGER NOT NULL REFERENCES service_records(id),
    hours REAL NOT NULL CHECK (hours * 2 = CAST(hours * 2 AS INTEGER)),
    points INTEGER NOT NULL,
    reason TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    txn_id INTEGER REFERENCES points_txns(id),
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    CHECK (hours <> 0 OR points <> 0)
  );
  CREATE INDEX service_corrections_record ON service_corrections(record_id);
  CREATE INDEX service_corrections_volunteer ON service_corrections(volunteer_id, at);

  CREATE TABLE service_certificates (
    id INTEGER PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    volunteer_id INTEGER NOT NULL REFERENCES volunteers(id),
    certificate_no TEXT NOT NULL UNIQUE,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    hours REAL NOT NULL CHECK (hours > 0),
    lines TEXT NOT NULL,
    issuer TEXT NOT NULL,
    issued_at INTEGER NOT NULL,
    issued_by TEXT NOT NULL
  );
  CREATE INDEX service_certificates_volunteer ON service_certificates(volunteer_id, issued_at);
`;

/**
 * Migration 19: a volunteer's card code (志愿者证号), printed on their card as a barcode the
 * check-in desk scans: 8 characters of the pairing alphabet (shared/auth.ts, no 0/O, 1/I/L),
 * one per volunteer in a community. Existing volunteers get one here; a registration makes one.
 */
export const VOLUNTEER_CARD_SQL = `
  ALTER TABLE volunteers ADD COLUMN card_code TEXT;
  UPDATE volunteers SET card_code = ${Array.from({ length: 8 }, () => "substr('23456789ABCDEFGHJKLMNPQRSTUVWXYZ', 1 + abs(random()) % 32, 1)").join(' || ')};
  CREATE UNIQUE INDEX volunteers_card_code ON volunteers(community_id, card_code);
`;

/**
 * Migration 20: the keys of a volunteer's own check-ins (`POST /me/check-in` with an
 * `Idempotency-Key`): a phone that retries after a lost answer sends the same key and gets the
 * same check-in, never a second one; the same key with another body is refused.
 */
export const ME_CHECK_IN_KEYS_SQL = `
  CREATE TABLE me_check_in_keys (
    volunteer_id INTEGER NOT NULL REFERENCES volunteers(id),
    key TEXT NOT NULL,
    body TEXT NOT NULL,
    signup_id INTEGER NOT NULL REFERENCES activity_signups(id),
    at INTEGER NOT NULL,
    PRIMARY KEY (volunteer_id, key)
  );
`;

/**
 * Migration 21: a stock movement's Idempotency-Key (unique per community), so a stock-in
 * retried after a lost answer finds the movement the first one wrote and is booked once.
 */
export const STOCK_MOVE_KEYS_SQL = `
  ALTER TABLE exchange_stock_moves ADD COLUMN idempotency_key TEXT;
  CREATE UNIQUE INDEX exchange_stock_moves_key ON exchange_stock_moves(community_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
`;
