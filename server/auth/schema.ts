/**
 * Migration 4, accounts and devices: people with a role and a scope (users), their sessions,
 * paired wall displays and their pairing requests, integration API keys, and the audit log.
 * Secrets (session cookies, display tokens, API keys) are never stored: only their sha256.
 */
export const AUTH_SQL = `
  CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    community_id TEXT NOT NULL REFERENCES communities(id),
    -- lower-case; a person acts under it (event history, audit)
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'dispatcher', 'grid_worker', 'social_worker', 'coordinator')),
    -- JSON list of grid ids: a grid worker's scope; [] for the other roles
    grids TEXT NOT NULL DEFAULT '[]',
    -- scrypt$N$r$p$salt$hash
    password_hash TEXT NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    password_changed_at INTEGER NOT NULL
  );

  CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    -- the absolute end; the idle end is last_seen_at + SESSION_IDLE_HOURS
    expires_at INTEGER NOT NULL,
    ip TEXT,
    user_agent TEXT
  );
  CREATE INDEX sessions_user ON sessions(user_id);

  CREATE TABLE displays (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    community_id TEXT NOT NULL REFERENCES communities(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    paired_by TEXT NOT NULL,
    paired_at INTEGER NOT NULL,
    last_seen_at INTEGER,
    revoked_at INTEGER
  );

  CREATE TABLE display_pairings (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    secret_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    display_id INTEGER REFERENCES displays(id),
    -- unused: the pairing secret became the display's token, so no token is ever stored (always null)
    token_once TEXT,
    ip TEXT
  );

  CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    community_id TEXT NOT NULL REFERENCES communities(id),
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL DEFAULT '["ingest"]',
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER
  );

  CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    community_id TEXT,
    actor_id TEXT,
    actor_role TEXT,
    action TEXT NOT NULL,
    target_type TEXT,
    target_id TEXT,
    detail TEXT,
    ip TEXT
  );
  CREATE INDEX audit_community ON audit_log(community_id, id);
  CREATE INDEX audit_actor ON audit_log(actor_id, id);
  CREATE INDEX audit_action ON audit_log(action, id);
`;

/** Migration 5, login devices: browsers that logged in before are not locked out by others sharing their address. */
export const LOGIN_DEVICES_SQL = `
  CREATE TABLE login_devices (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL
  );
  CREATE INDEX login_devices_user ON login_devices(user_id);
`;

/** Migration 6: a social worker's account names the social-worker record it is. */
export const USER_SOCIAL_WORKER_SQL = 'ALTER TABLE users ADD COLUMN social_worker_id INTEGER REFERENCES social_workers(id);';

/** Migration 8: a grid worker's account names the grid-worker record it is (their tasks are those dispatched to it). */
export const USER_GRID_WORKER_SQL = 'ALTER TABLE users ADD COLUMN worker_id TEXT REFERENCES workers(id);';

/**
 * Migration 15: two more roles, the charity bookkeeper (慈善专管员) and a volunteer on their own
 * phone (志愿者), and a volunteer's account names their volunteer record. SQLite cannot change
 * a CHECK in place: the table is rebuilt, same rows and ids (foreign keys checked before commit).
 */
export const USER_ROLES_15_SQL = `
  CREATE TABLE users_15 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    community_id TEXT NOT NULL REFERENCES communities(id),
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'dispatcher', 'grid_worker', 'social_worker', 'coordinator', 'charity_keeper', 'volunteer')),
    grids TEXT NOT NULL DEFAULT '[]',
    password_hash TEXT NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    password_changed_at INTEGER NOT NULL,
    social_worker_id INTEGER REFERENCES social_workers(id),
    worker_id TEXT REFERENCES workers(id),
    volunteer_id INTEGER REFERENCES volunteers(id)
  );
  INSERT INTO users_15 (id, community_id, username, display_name, role, grids, password_hash, must_change_password, status,
                        created_at, updated_at, password_changed_at, social_worker_id, worker_id)
    SELECT id, community_id, username, display_name, role, grids, password_hash, must_change_password, status,
           created_at, updated_at, password_changed_at, social_worker_id, worker_id FROM users;
  DROP TABLE users;
  ALTER TABLE users_15 RENAME TO users;
  CREATE UNIQUE INDEX users_volunteer ON users(volunteer_id) WHERE volunteer_id IS NOT NULL;
`;

/**
 * Migration 20: a coordinator's one-time invitation for a volunteer to make their own account on
 * their phone (`/me/join#<token>`). Only the token's sha256 is kept; it ends when used or at
 * `expires_at`, and a newer invitation for the same volunteer ends the older ones.
 */
export const VOLUNTEER_INVITATIONS_SQL = `
  CREATE TABLE volunteer_invitations (
    id INTEGER PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    volunteer_id INTEGER NOT NULL REFERENCES volunteers(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    user_id INTEGER REFERENCES users(id)
  );
  CREATE INDEX volunteer_invitations_volunteer ON volunteer_invitations(volunteer_id);
`;
