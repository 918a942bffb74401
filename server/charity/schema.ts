/**
 * Migration 3, charity resources (慈善资源): donations of money and goods, the community fund as a
 * double-entry ledger, goods on hand, and disbursements to projects and needs. The books balance:
 * money given = the fund + money designated to projects + money paid out; goods received =
 * goods on hand + goods given out (tests hold both).
 */
export const CHARITY_SQL = `
  CREATE TABLE goods (
    id INTEGER PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    name TEXT NOT NULL,
    unit TEXT NOT NULL,
    on_hand INTEGER NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (community_id, name, unit)
  );

  CREATE TABLE donations (
    id INTEGER PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    receipt_no TEXT NOT NULL UNIQUE,
    donor_kind TEXT NOT NULL CHECK (donor_kind IN ('person', 'enterprise', 'org')),
    donor_name TEXT NOT NULL,
    donor_phone TEXT,
    anonymous INTEGER NOT NULL CHECK (anonymous IN (0, 1)),
    -- the name the donor agreed may be shown in public (honour roll, wall); null: none agreed
    public_name TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('money', 'goods')),
    amount_cents INTEGER CHECK (amount_cents > 0),
    goods_id INTEGER REFERENCES goods(id),
    quantity INTEGER CHECK (quantity > 0),
    -- money: the amount; goods: the estimated value (counts towards "raised")
    value_cents INTEGER NOT NULL CHECK (value_cents >= 0),
    project_id INTEGER REFERENCES projects(id),
    need_id INTEGER REFERENCES needs(id),
    note TEXT NOT NULL DEFAULT '',
    -- when the gift came in (may be back-dated: a paper receipt entered later) and when it was entered
    received_at INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL,
    recorded_by TEXT NOT NULL,
    CHECK (project_id IS NULL OR need_id IS NULL),
    CHECK ((kind = 'money' AND amount_cents IS NOT NULL AND goods_id IS NULL AND quantity IS NULL AND value_cents = amount_cents)
        OR (kind = 'goods' AND amount_cents IS NULL AND goods_id IS NOT NULL AND quantity IS NOT NULL))
  );
  CREATE INDEX donations_community ON donations(community_id, received_at);

  CREATE TABLE disbursements (
    id INTEGER PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    kind TEXT NOT NULL CHECK (kind IN ('money', 'goods')),
    -- money: paid from the unrestricted fund or from the money designated to the target
    source TEXT CHECK (source IN ('fund', 'restricted')),
    amount_cents INTEGER CHECK (amount_cents > 0),
    goods_id INTEGER REFERENCES goods(id),
    quantity INTEGER CHECK (quantity > 0),
    value_cents INTEGER NOT NULL CHECK (value_cents >= 0),
    project_id INTEGER REFERENCES projects(id),
    need_id INTEGER REFERENCES needs(id),
    purpose TEXT NOT NULL,
    approved_by TEXT NOT NULL,
    at INTEGER NOT NULL,
    CHECK ((kind = 'money' AND amount_cents IS NOT NULL AND goods_id IS NULL AND quantity IS NULL AND value_cents = amount_cents)
        OR (kind = 'goods' AND amount_cents IS NULL AND goods_id IS NOT NULL AND quantity IS NOT NULL)),
    CHECK (project_id IS NOT NULL OR need_id IS NOT NULL),
    CHECK ((kind = 'money') = (source IS NOT NULL))
  );
  CREATE INDEX disbursements_community ON disbursements(community_id, at);

  -- The money books, double entry like the points ledger. Per community: 'donors' (the source;
  -- its balance is minus everything given), 'fund' (unrestricted, never negative), 'paid_out'
  -- (the sink); per project or need given money for it: 'restricted' (designated, never negative).
  CREATE TABLE fund_accounts (
    id INTEGER PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    kind TEXT NOT NULL CHECK (kind IN ('donors', 'fund', 'restricted', 'paid_out')),
    project_id INTEGER REFERENCES projects(id),
    need_id INTEGER REFERENCES needs(id),
    balance INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    CHECK (CASE WHEN kind = 'restricted' THEN (project_id IS NULL) <> (need_id IS NULL)
                ELSE project_id IS NULL AND need_id IS NULL END),
    CHECK (kind NOT IN ('fund', 'restricted') OR balance >= 0)
  );
  CREATE UNIQUE INDEX fund_accounts_project ON fund_accounts(project_id) WHERE project_id IS NOT NULL;
  CREATE UNIQUE INDEX fund_accounts_need ON fund_accounts(need_id) WHERE need_id IS NOT NULL;
  CREATE UNIQUE INDEX fund_accounts_system ON fund_accounts(community_id, kind) WHERE kind <> 'restricted';
  CREATE INDEX fund_accounts_community ON fund_accounts(community_id, kind);

  CREATE TABLE fund_txns (
    id INTEGER PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    kind TEXT NOT NULL CHECK (kind IN ('donation', 'disbursement')),
    donation_id INTEGER REFERENCES donations(id),
    disbursement_id INTEGER REFERENCES disbursements(id),
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    memo TEXT,
    CHECK ((kind = 'donation') = (donation_id IS NOT NULL) AND (kind = 'disbursement') = (disbursement_id IS NOT NULL))
  );
  CREATE INDEX fund_txns_at ON fund_txns(community_id, at);

  CREATE TABLE fund_entries (
    id INTEGER PRIMARY KEY,
    txn_id INTEGER NOT NULL REFERENCES fund_txns(id),
    account_id INTEGER NOT NULL REFERENCES fund_accounts(id),
    amount INTEGER NOT NULL CHECK (amount <> 0),
    at INTEGER NOT NULL
  );
  CREATE INDEX fund_entries_account ON fund_entries(account_id, id);
  CREATE INDEX fund_entries_txn ON fund_entries(txn_id);

  -- Every change of goods on hand: + for a donation, − for a disbursement.
  CREATE TABLE goods_movements (
    id INTEGER PRIMARY KEY,
    goods_id INTEGER NOT NULL REFERENCES goods(id),
    delta INTEGER NOT NULL CHECK (delta <> 0),
    donation_id INTEGER REFERENCES donations(id),
    disbursement_id INTEGER REFERENCES disbursements(id),
    at INTEGER NOT NULL,
    CHECK ((donation_id IS NULL) <> (disbursement_id IS NULL))
  );
  CREATE INDEX goods_movements_goods ON goods_movements(goods_id, id);
  CREATE INDEX donations_goods ON donations(goods_id) WHERE goods_id IS NOT NULL;
  CREATE INDEX disbursements_goods ON disbursements(goods_id) WHERE goods_id IS NOT NULL;
`;
