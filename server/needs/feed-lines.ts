/**
 * What the wall's feed lines and figures about needs may say, shared by the aggregates that
 * write them: a need's typed title with its resident's name masked, or, for a need that could
 * single out a key population's resident, its category in place of the title and no grid
 * (shared/disclosure.ts); a provider as a public line may name it; hours rounded for a line.
 */
import { feedText } from '../kernel/journal.ts';
import { maskName } from '../../shared/mask.ts';
import { singlesOut } from '../../shared/disclosure.ts';
import { HOUR_MS } from '../../shared/time.ts';
import { serviceCategoryZh, type FeedDraft, type SubjectKind } from '../../shared/subjects.ts';
import { zhCN as needMessages } from '../../shared/i18n/needs.ts';
import type { ProviderKind } from '../../shared/needs.ts';
import type { NeedRecord } from './record.ts';

/** A need that could single out a key population's resident: its feed lines say less (shared/disclosure.ts). */
export function guarded(n: NeedRecord): boolean {
  return singlesOut(n.populations, n.beneficiaries);
}

/**
 * The grid the wall's figures count need `n` in: none for a need that could single someone out,
 * or a live observer would read its grid off the grid's count ticking with its gridless line.
 */
export function publicGrid(n: NeedRecord): string | null {
  return guarded(n) ? null : n.gridId;
}

/**
 * A feed line about need `n`: its typed title (names masked) and grid; for a need that could
 * single out a key population's resident, the `_protected` line with its category in place
 * of the title and no grid (shared/disclosure.ts).
 */
export function needLine(n: NeedRecord, subject: SubjectKind, key: 'feed.need.matched' | 'feed.need.met', params: FeedDraft['params']): FeedDraft {
  return guarded(n)
    ? { subject, key: `${key}_protected`, params: { ...params, category: serviceCategoryZh(n.category), categoryCode: n.category }, gridId: null }
    : { subject, key, params: { ...params, title: feedText(n.title, [n.residentName]) }, gridId: n.gridId };
}

/** The subject's name for a feed line (data, in Chinese, as the wall shows it). */
export const subjectLabel = (s: SubjectKind): string => needMessages[`linkage.subject.${s}`];

/**
 * A provider as a public line may name it: people masked (张*); organizations, teams, the
 * community and a donor that is an enterprise (a name longer than a person's) by name.
 */
export function publicProvider(kind: ProviderKind, name: string): string {
  const person = kind === 'volunteer' || kind === 'social_worker' || (kind === 'donor' && !/^[\u3400-\u9fff·（）()]{5,}$/.test(name));
  return person ? (maskName(name) ?? '') : feedText(name);
}

/** Hours for a feed line: one decimal under ten hours, whole hours above. */
export function hoursOf(ms: number): number {
  const h = ms / HOUR_MS;
  return h < 10 ? Math.round(h * 10) / 10 : Math.round(h);
}
