/**
 * Emergency mode's small pieces every surface shows alike (the wall's layout, the console's bar
 * and page, a tablet's banner): how long an incident has run, and its level's colours and words.
 */
import { LEVEL_COLOURS, type IncidentLevel } from '../../shared/emergency-levels.ts';
import type { Locale } from '../../shared/i18n.ts';

/**
 * How long since `fromIso`, in hours and minutes (seconds in the first minute).
 *
 * @example sinceText('2026-09-14T20:00:00+08:00', Date.parse('2026-09-14T21:05:00+08:00'), 'zh-CN') // '1小时05分'
 */
export function sinceText(fromIso: string, now: number, locale: Locale): string {
  const s = Math.max(0, Math.floor((now - Date.parse(fromIso)) / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const mm = String(m).padStart(2, '0');
  if (locale === 'en') return h ? `${h} h ${mm} min` : m ? `${m} min` : `${s} s`;
  return h ? `${h}小时${mm}分` : m ? `${m}分钟` : `${s}秒`;
}

/** The CSS custom properties of a level: `--level-bg`, `--level-fg`. */
export const levelStyle = (level: IncidentLevel): string =>
  `--level-bg: ${LEVEL_COLOURS[level].bg}; --level-fg: ${LEVEL_COLOURS[level].fg}`;
