/**
 * The field logs page's rules as data and pure functions (no runes, no fetching), so a unit test
 * reads them without a browser: who sees the page, what a period means in the community's zone,
 * which answers stand out, and how the list's filters live in the page's address.
 */
import { dayEnd, dayStart } from '../lib/format.ts';
import { localDay } from '../../shared/time.ts';
import type { VisitView } from '../../shared/fieldwork.ts';

/** Who reads field logs: server/fieldwork/access.ts READ (a grid worker their own). */
export const FIELD_LOG_ROLES: readonly string[] = ['admin', 'dispatcher', 'grid_worker', 'social_worker'];

export const FIELD_TABS = ['patrols', 'visits'] as const;
export type FieldTab = (typeof FIELD_TABS)[number];

export const PERIODS = ['today', '7d', '30d', 'custom'] as const;
export type Period = (typeof PERIODS)[number];

/** The list's filters, as the address gives them (`?tab=visits&grid=G01&period=30d&attention=true`). */
export interface FieldFilters {
  tab: FieldTab;
  grid: string;
  by: string;
  period: Period;
  /** Local days `YYYY-MM-DD`, for a custom period. */
  from: string;
  to: string;
  /** Visits that need someone to act only. */
  attention: boolean;
}

export const DEFAULT_PERIOD: Period = '7d';

/** The filters in a query; anything unknown falls back to the default. */
export function filtersOf(q: URLSearchParams): FieldFilters {
  const tab = q.get('tab');
  const period = q.get('period');
  return {
    tab: (FIELD_TABS as readonly string[]).includes(tab ?? '') ? (tab as FieldTab) : 'patrols',
    grid: q.get('grid') ?? '',
    by: q.get('by') ?? '',
    period: (PERIODS as readonly string[]).includes(period ?? '') ? (period as Period) : DEFAULT_PERIOD,
    from: q.get('from') ?? '',
    to: q.get('to') ?? '',
    attention: q.get('attention') === 'true',
  };
}

/** The query of an address for `f`: defaults left out, so the plain page has a plain address. */
export function queryOf(f: FieldFilters): Record<string, string> {
  const q: Record<string, string> = {};
  if (f.tab !== 'patrols') q.tab = f.tab;
  if (f.grid) q.grid = f.grid;
  if (f.by) q.by = f.by;
  if (f.period !== DEFAULT_PERIOD) q.period = f.period;
  if (f.period === 'custom') {
    if (f.from) q.from = f.from;
    if (f.to) q.to = f.to;
  }
  if (f.tab === 'visits' && f.attention) q.attention = 'true';
  return q;
}

/**
 * The instants a period spans, for `from`/`to` of GET /patrols and /visits (`to` exclusive):
 * today and the last 7 or 30 days end now and begin at a local midnight in `timeZone` (7 days is
 * today and the six before it); a custom period runs from the start of its first day to the end
 * of its last, either end open when not given.
 */
export function periodRange(f: Pick<FieldFilters, 'period' | 'from' | 'to'>, now: number, timeZone: string): { from?: string; to?: string } {
  if (f.period === 'custom') {
    const from = f.from ? dayStart(f.from, timeZone) : null;
    const to = f.to ? dayEnd(f.to, timeZone) : null;
    return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
  }
  const back = f.period === 'today' ? 0 : f.period === '7d' ? 6 : 29;
  const today = localDay(now, timeZone);
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  const first = new Date(Date.UTC(y, m - 1, d - back));
  const day = `${first.getUTCFullYear()}-${String(first.getUTCMonth() + 1).padStart(2, '0')}-${String(first.getUTCDate()).padStart(2, '0')}`;
  return { from: dayStart(day, timeZone) ?? undefined };
}

export type AnswerTone = 'neutral' | 'warn' | 'danger';

/** How loud an answer is: the ones that need someone ("danger", "poor", "difficult") are red, the middling ones amber. */
export function answerTone(kind: 'safety' | 'health' | 'living', value: string): AnswerTone {
  if (kind === 'safety') return value === 'danger' ? 'danger' : value === 'concern' ? 'warn' : 'neutral';
  if (kind === 'health') return value === 'poor' ? 'danger' : value === 'fair' ? 'warn' : 'neutral';
  return value === 'difficult' ? 'danger' : 'neutral';
}

/** A visit's three answers in order, with their tones. */
export const answersOf = (v: Pick<VisitView, 'safety' | 'health' | 'living'>) =>
  ([['safety', v.safety], ['health', v.health], ['living', v.living]] as const).map(([kind, value]) => ({ kind, value, tone: answerTone(kind, value) }));
