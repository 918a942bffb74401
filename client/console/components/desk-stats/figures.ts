/** How the desk's numbers write their figures: a rate, a span of time, a bar's share. */
import { i18n } from '../../i18n.svelte.ts';

/** A rate as a percentage with one decimal, '—' when nothing was measured. */
export const pct = (rate: number | null): string => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);

/** A bar's width in per cent of the longest (at least 2 so a small one still shows). */
export const share = (n: number, of: number): number => (of ? Math.max(2, Math.round((n / of) * 100)) : 0);

/** The longest of some counts (at least 1). */
export const maxOf = (xs: { n: number }[]): number => Math.max(1, ...xs.map((x) => x.n));

/** A span of time in minutes, hours and minutes, or days and hours; '—' when none. */
export function span(ms: number | null): string {
  if (ms === null) return '—';
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return i18n.t('console.stats.minutes', { n: minutes });
  if (minutes < 1440) return i18n.t('console.stats.hours', { h: Math.floor(minutes / 60), m: minutes % 60 });
  return i18n.t('console.stats.days', { d: Math.floor(minutes / 1440), h: Math.floor((minutes % 1440) / 60) });
}
