/** Words the volunteer desk's pages share: a weekday's short name, a volunteer's availability in a line. */
import { i18n } from '../../i18n.svelte.ts';
import type { Availability } from '../../../../shared/volunteers.ts';

type DayKey = `console.volunteers.day.${1 | 2 | 3 | 4 | 5 | 6 | 7}`;

/** 1 → 周一 / Mon. */
export const dayName = (d: number): string => i18n.t(`console.volunteers.day.${d}` as DayKey);

/** 周二 周六 08:00–11:00; empty when not given. */
export const availabilityText = (a: Availability | null | undefined): string =>
  a ? `${a.days.map(dayName).join(' ')} ${a.from}–${a.to}` : '';
