/**
 * The wall's figures for organizations, projects and social work. Each is one indexed query
 * over a bounded window (this month, today, the last 30 days) or over the small registry
 * tables; the services figures read the covering index services_community, never the rows.
 *
 * "By organizations" counts the services an organization delivered and those social workers
 * delivered under a project an organization runs (services.org_id, set when recorded).
 */
import type { StatsContext } from '../kernel/stats-context.ts';
import type { FundingSource, OrgViews, ProjectGlance, SocialWorkViews } from '../../shared/subjects.ts';
import { feedText } from '../kernel/journal.ts';
import { guardCount } from '../../shared/disclosure.ts';

/** How many projects the wall lists: the active ones with the most services in the last 30 days. */
export const PROJECTS_ON_WALL = 6;

export function orgStats(ctx: StatsContext): OrgViews {
  const { db, communityId } = ctx;
  const orgs = db.prepare(
    `SELECT COALESCE(SUM(status <> 'deregistered'), 0) AS registered, COALESCE(SUM(status = 'active'), 0) AS active
       FROM organizations WHERE community_id = ?`,
  ).get(communityId) as { registered: number; active: number };
  const projects = db.prepare(
    `SELECT COUNT(*) AS n, COALESCE(SUM(budget_cents), 0) AS budget, COALESCE(SUM(spent_cents), 0) AS spent
       FROM projects WHERE community_id = ? AND status = 'active'`,
  ).get(communityId) as { n: number; budget: number; spent: number };
  const month = db.prepare(
    `SELECT COUNT(*) AS services, COALESCE(SUM(beneficiaries), 0) AS beneficiaries
       FROM services WHERE community_id = ? AND ended_at >= ? AND org_id IS NOT NULL`,
  ).get(communityId, ctx.monthStart) as { services: number; beneficiaries: number };
  const top = db.prepare(
    `SELECT p.code, p.name, p.funding, p.budget_cents, p.spent_cents, p.target_services, o.name AS org_name, o.contact_name,
            w.name AS lead_name,
            (SELECT COUNT(*) FROM services s WHERE s.project_id = p.id) AS done,
            (SELECT COALESCE(SUM(s.beneficiaries), 0) FROM services s WHERE s.project_id = p.id) AS beneficiaries,
            (SELECT COUNT(*) FROM services s WHERE s.project_id = p.id AND s.ended_at >= @since) AS recent
       FROM projects p LEFT JOIN organizations o ON o.id = p.org_id LEFT JOIN social_workers w ON w.id = p.social_worker_id
      WHERE p.community_id = @community AND p.status = 'active'
      ORDER BY recent DESC, done DESC, p.id LIMIT @limit`,
  ).all({ community: communityId, since: ctx.windowStart, limit: PROJECTS_ON_WALL }) as {
    code: string; name: string; funding: FundingSource; budget_cents: number; spent_cents: number; target_services: number | null;
    org_name: string | null; contact_name: string | null; lead_name: string | null; done: number; beneficiaries: number;
  }[];
  return {
    registered: orgs.registered,
    active: orgs.active,
    projectsActive: projects.n,
    budgetCents: projects.budget,
    spentCents: projects.spent,
    servicesMonth: month.services,
    beneficiariesMonth: month.beneficiaries,
    projects: top.map((r): ProjectGlance => ({
      code: r.code,
      // The wall is public: people a name mentions (a contact, the lead social worker) are masked.
      name: feedText(r.name, [r.contact_name, r.lead_name]),
      org: r.org_name === null ? null : feedText(r.org_name, [r.contact_name]),
      funding: r.funding,
      budgetCents: r.budget_cents,
      spentCents: r.spent_cents,
      servicesDone: r.done,
      targetServices: r.target_services,
      beneficiaries: guardCount(r.beneficiaries),
    })),
  };
}

export function socialWorkStats(ctx: StatsContext): SocialWorkViews {
  const { db, communityId } = ctx;
  const workers = db.prepare(
    `SELECT COALESCE(SUM(status <> 'left'), 0) AS workers, COALESCE(SUM(status = 'active'), 0) AS active
       FROM social_workers WHERE community_id = ?`,
  ).get(communityId) as { workers: number; active: number };
  const cases = db.prepare("SELECT COUNT(*) AS n FROM cases WHERE community_id = ? AND status = 'open'").get(communityId) as { n: number };
  const month = db.prepare(
    `SELECT COUNT(*) AS services, COALESCE(SUM(beneficiaries), 0) AS beneficiaries, COALESCE(SUM(kind = 'visit'), 0) AS visits,
            COALESCE(SUM(ended_at >= @today), 0) AS today
       FROM services WHERE community_id = @community AND ended_at >= @from AND provider_kind = 'social_worker'`,
    // Today lies in this month (the month starts at a local midnight), so one pass counts both.
  ).get({ community: communityId, today: ctx.today, from: ctx.monthStart }) as {
    services: number; beneficiaries: number; visits: number; today: number;
  };
  return {
    workers: workers.workers,
    active: workers.active,
    casesOpen: cases.n,
    visitsMonth: month.visits,
    servicesMonth: month.services,
    beneficiariesMonth: month.beneficiaries,
    servicesToday: month.today,
  };
}
