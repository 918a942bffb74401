/**
 * What the wall's feed lines of organizations and social work may say, shared by the
 * aggregates that write them: a person masked, an organization by name with the people its name
 * carries masked, a category both in Chinese and as a code, and when a line must drop its grid
 * and show its count of people as "<3" (shared/disclosure.ts).
 */
import { feedText } from '../kernel/journal.ts';
import { maskName } from '../../shared/mask.ts';
import { singlesOut } from '../../shared/disclosure.ts';
import { serviceCategoryZh, type ServiceCategory } from '../../shared/subjects.ts';
import type { OrgRecord, ProjectRecord, ServiceRecord, SocialWorkerRecord } from './record.ts';

/**
 * A service that could single out a key population's resident, or a session of a case (one
 * client): its feed line has no grid and its count of people shows as "<3" (shared/disclosure.ts).
 */
export function guarded(s: Pick<ServiceRecord, 'populations' | 'caseId' | 'beneficiaries'>): boolean {
  return s.caseId !== null || singlesOut(s.populations, s.beneficiaries);
}

/** The category's label for a feed line (data, in Chinese, as the wall shows it) and its code for other languages. */
export function categoryParams(code: ServiceCategory): { category: string; categoryCode: ServiceCategory } {
  return { category: serviceCategoryZh(code), categoryCode: code };
}

/** Who delivered a service, as a feed line may name them: a masked person, an organization's name. */
export function providerName(worker: SocialWorkerRecord | null, org: OrgRecord | null): string {
  if (worker) return maskName(worker.name) ?? '';
  return org ? orgName(org) : '';
}

/** An organization's name for the feed, with its contact's name masked where it carries it. */
export function orgName(org: OrgRecord): string {
  return feedText(org.name, [org.contactName]);
}

/** A project's name for the feed, with the people it names masked. */
export function projectTitle(pr: Pick<ProjectRecord, 'name'>, org: OrgRecord | null, lead: SocialWorkerRecord | null): string {
  return feedText(pr.name, [org?.contactName, lead?.name]);
}
