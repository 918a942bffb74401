/** The wall's figures for organizations, projects and social work. */
import type { StatsContext } from '../subjects/context.ts';
import type { OrgViews, SocialWorkViews } from '../../shared/subjects.ts';

export function orgStats(_ctx: StatsContext): OrgViews {
  return { registered: 0, active: 0, projectsActive: 0, budgetCents: 0, spentCents: 0, servicesMonth: 0, beneficiariesMonth: 0, projects: [] };
}

export function socialWorkStats(_ctx: StatsContext): SocialWorkViews {
  return { workers: 0, active: 0, casesOpen: 0, visitsMonth: 0, servicesMonth: 0, beneficiariesMonth: 0, servicesToday: 0 };
}
