/**
 * Migration 3, social organizations and social workers (社会组织 · 社会工作者): organizations,
 * their service projects (项目清单), social workers, their cases and the services they deliver.
 */
export const ORGS_SQL = `
  CREATE TABLE organizations (
    id INTEGER PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    name TEXT NOT NULL,
    -- social_org 社会组织 (社会团体/社会服务机构) · charity_org 慈善组织 · enterprise 企业
    -- public_institution 事业单位 · resident_group 居民自组织
    kind TEXT NOT NULL CHECK (kind IN ('social_org', 'charity_org', 'enterprise', 'public_institution', 'resident_group')),
    -- 统一社会信用代码 (18 characters) or the filing number of a resident group
    registration_no TEXT,
    contact_name TEXT NOT NULL,
    contact_phone TEXT NOT NULL,
    -- service categories it offers (shared/subjects.ts SERVICE_CATEGORIES), JSON array
    categories TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'deregistered')),
    registered_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (community_id, name)
  );
  CREATE UNIQUE INDEX organizations_registration ON organizations(community_id, registration_no) WHERE registration_no IS NOT NULL;

  CREATE TABLE social_workers (
    id INTEGER PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    org_id INTEGER REFERENCES organizations(id),
    -- none · assistant 助理社会工作师 · social_worker 社会工作师 · senior 高级社会工作师
    qualification TEXT NOT NULL CHECK (qualification IN ('none', 'assistant', 'social_worker', 'senior')),
    grids TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL CHECK (status IN ('active', 'on_leave', 'left')),
    joined_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX social_workers_community ON social_workers(community_id, status);

  -- 项目清单: a service project, run by an organization or led by a social worker, funded by a
  -- government purchase of services, the community fund, donors or the org itself. A project
  -- that meets a need names it (need_id); money designated to it sits in the charity books.
  CREATE TABLE projects (
    id INTEGER PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL,
    org_id INTEGER REFERENCES organizations(id),
    social_worker_id INTEGER REFERENCES social_workers(id),
    funding TEXT NOT NULL CHECK (funding IN ('government', 'community_fund', 'donor', 'self')),
    budget_cents INTEGER NOT NULL CHECK (budget_cents >= 0),
    spent_cents INTEGER NOT NULL DEFAULT 0 CHECK (spent_cents >= 0),
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    target_services INTEGER CHECK (target_services > 0),
    target_beneficiaries INTEGER CHECK (target_beneficiaries > 0),
    need_id INTEGER REFERENCES needs(id),
    grid_id TEXT REFERENCES grids(id),
    status TEXT NOT NULL CHECK (status IN ('planned', 'active', 'completed', 'suspended', 'cancelled')),
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK (ends_on >= starts_on),
    CHECK (org_id IS NOT NULL OR social_worker_id IS NOT NULL)
  );
  CREATE INDEX projects_community ON projects(community_id, status);
  CREATE INDEX projects_need ON projects(need_id) WHERE need_id IS NOT NULL;

  -- What a project funded by a government purchase or by its organization spent (the money the
  -- community's charity books do not hold). projects.spent_cents = these + the charity books'
  -- money disbursements to the project, each added in the write that records it.
  CREATE TABLE project_expenses (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    purpose TEXT NOT NULL,
    spent_on TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at INTEGER NOT NULL
  );
  CREATE INDEX project_expenses_project ON project_expenses(project_id, id);

  -- A social worker's case (个案): one client, opened and closed; sessions are services.
  CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    code TEXT NOT NULL UNIQUE,
    social_worker_id INTEGER NOT NULL REFERENCES social_workers(id),
    category TEXT NOT NULL,
    client_name TEXT NOT NULL,
    client_phone TEXT,
    populations TEXT NOT NULL DEFAULT '[]',
    grid_id TEXT REFERENCES grids(id),
    need_id INTEGER REFERENCES needs(id),
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    opened_at INTEGER NOT NULL,
    closed_at INTEGER,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX cases_worker ON cases(social_worker_id, status);
  CREATE INDEX cases_community ON cases(community_id, status);

  -- A service delivered by a social worker or an organization: a home visit (入户走访), a case
  -- session (个案), a group activity (小组/社区活动), a consultation, a referral.
  CREATE TABLE services (
    id INTEGER PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    provider_kind TEXT NOT NULL CHECK (provider_kind IN ('social_worker', 'org')),
    social_worker_id INTEGER REFERENCES social_workers(id),
    org_id INTEGER REFERENCES organizations(id),
    project_id INTEGER REFERENCES projects(id),
    case_id INTEGER REFERENCES cases(id),
    need_id INTEGER REFERENCES needs(id),
    kind TEXT NOT NULL CHECK (kind IN ('visit', 'case_session', 'group', 'consultation', 'referral', 'other')),
    category TEXT NOT NULL,
    grid_id TEXT REFERENCES grids(id),
    content TEXT NOT NULL,
    beneficiaries INTEGER NOT NULL CHECK (beneficiaries >= 0),
    populations TEXT NOT NULL DEFAULT '[]',
    started_at INTEGER NOT NULL,
    ended_at INTEGER NOT NULL,
    satisfaction INTEGER CHECK (satisfaction BETWEEN 1 AND 5),
    recorded_by TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    CHECK (ended_at >= started_at),
    CHECK ((provider_kind = 'social_worker') = (social_worker_id IS NOT NULL)),
    CHECK (provider_kind <> 'org' OR org_id IS NOT NULL)
  );
  -- org_id is the organization a service counts for: the provider, or, for a social worker's
  -- service under a project an organization runs, that organization.
  -- The wall's monthly and daily figures read these covering indexes, never the rows.
  CREATE INDEX services_community ON services(community_id, ended_at, provider_kind, kind, beneficiaries, org_id, satisfaction);
  CREATE INDEX services_worker ON services(social_worker_id, ended_at) WHERE social_worker_id IS NOT NULL;
  CREATE INDEX services_org ON services(org_id, ended_at) WHERE org_id IS NOT NULL;
  CREATE INDEX services_project ON services(project_id, ended_at, beneficiaries) WHERE project_id IS NOT NULL;
  CREATE INDEX services_case ON services(case_id) WHERE case_id IS NOT NULL;
`;

/**
 * Migration 18, the social worker's desk (issue 13): a case's goals (个案目标, a short list with
 * each goal met or not) and the outcome it closed with; who last changed a case or an
 * organization (so a colleague's stale edit is told who and when); a planned visit (走访计划),
 * the social worker's schedule of the day, done when the visit is recorded as a service.
 */
export const CASEWORK_DESK_SQL = `
  ALTER TABLE cases ADD COLUMN goals TEXT NOT NULL DEFAULT '[]';
  -- achieved 目标达成 · partly 部分达成 · referred 转介 · withdrawn 服务对象退出 · other 其他
  ALTER TABLE cases ADD COLUMN outcome TEXT CHECK (outcome IN ('achieved', 'partly', 'referred', 'withdrawn', 'other'));
  ALTER TABLE cases ADD COLUMN updated_by TEXT;
  ALTER TABLE organizations ADD COLUMN updated_by TEXT;

  CREATE TABLE planned_visits (
    id INTEGER PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    social_worker_id INTEGER NOT NULL REFERENCES social_workers(id),
    case_id INTEGER REFERENCES cases(id),
    planned_at INTEGER NOT NULL,
    -- where and what for; staff-only, never on the wall
    note TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('planned', 'done', 'cancelled')),
    service_id INTEGER REFERENCES services(id),
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX planned_visits_worker ON planned_visits(social_worker_id, planned_at);
  CREATE INDEX planned_visits_community ON planned_visits(community_id, planned_at);
`;

/**
 * Migration 22: venture philanthropy (公益创投, a competition-funded grant) is a project's funding
 * source too. SQLite cannot change a CHECK in place: the table is rebuilt with the same rows and
 * ids (foreign keys checked before commit), its indexes made again.
 */
export const PROJECT_VENTURE_SQL = `
  CREATE TABLE projects_22 (
    id INTEGER PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL,
    org_id INTEGER REFERENCES organizations(id),
    social_worker_id INTEGER REFERENCES social_workers(id),
    funding TEXT NOT NULL CHECK (funding IN ('government', 'venture', 'community_fund', 'donor', 'self')),
    budget_cents INTEGER NOT NULL CHECK (budget_cents >= 0),
    spent_cents INTEGER NOT NULL DEFAULT 0 CHECK (spent_cents >= 0),
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    target_services INTEGER CHECK (target_services > 0),
    target_beneficiaries INTEGER CHECK (target_beneficiaries > 0),
    need_id INTEGER REFERENCES needs(id),
    grid_id TEXT REFERENCES grids(id),
    status TEXT NOT NULL CHECK (status IN ('planned', 'active', 'completed', 'suspended', 'cancelled')),
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK (ends_on >= starts_on),
    CHECK (org_id IS NOT NULL OR social_worker_id IS NOT NULL)
  );
  INSERT INTO projects_22 SELECT id, community_id, code, name, description, category, org_id, social_worker_id, funding, budget_cents,
    spent_cents, starts_on, ends_on, target_services, target_beneficiaries, need_id, grid_id, status, created_by, created_at, updated_at
    FROM projects;
  DROP TABLE projects;
  ALTER TABLE projects_22 RENAME TO projects;
  CREATE INDEX projects_community ON projects(community_id, status);
  CREATE INDEX projects_need ON projects(need_id) WHERE need_id IS NOT NULL;
`;
