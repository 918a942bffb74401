/**
 * Words for the loop settings page: a category's name in the console's language, a handling
 * limit ("1 个工作日"), one change of a saved version as a sentence, and where a bad value sits
 * (a zod or server path) as the key its input is found by.
 */
import { categoryOf } from '../../shared/taxonomy.ts';
import type { HandleLimit, SettingsChange } from '../../shared/loop-settings.ts';
import { i18n } from './i18n.svelte.ts';

export const categoryLabel = (code: string): string => {
  const c = categoryOf(code);
  return c ? (i18n.locale === 'en' ? c.en : c.zh) : code;
};

export const urgencyLabel = (u: string): string => i18n.tOr(`urgency.${u}`, u);

export const limitText = (l: HandleLimit): string => `${l.amount} ${i18n.t(l.amount === 1 ? `console.loop.unitOne.${l.unit}` : `console.loop.unit.${l.unit}`)}`;

const yesNo = (v: unknown) => i18n.t(v ? 'console.loop.yes' : 'console.loop.no');

/** A change of a version as one line (`市容环境 · 一般 · 办理时限：72 小时 → 1 个工作日`). */
export function changeText(c: SettingsChange): string {
  const [head, cat, third, fourth] = c.path.split('.');
  if (head === 'limits' && cat && third && fourth === 'dispatchMinutes') {
    return i18n.t('console.loop.change.dispatchMinutes', { category: categoryLabel(cat), urgency: urgencyLabel(third), before: String(c.before), after: String(c.after) });
  }
  if (head === 'limits' && cat && third && fourth === 'handle') {
    return i18n.t('console.loop.change.handle', {
      category: categoryLabel(cat), urgency: urgencyLabel(third), before: limitText(c.before as HandleLimit), after: limitText(c.after as HandleLimit),
    });
  }
  if (head === 'remindAtRemaining') {
    return i18n.t('console.loop.change.remind', { before: Math.round(Number(c.before) * 100), after: Math.round(Number(c.after) * 100) });
  }
  if (head === 'evidence' && cat) return i18n.t('console.loop.change.evidence', { category: categoryLabel(cat), before: yesNo(c.before), after: yesNo(c.after) });
  if (head === 'duplicates' && cat && (third === 'radiusM' || third === 'windowHours')) {
    return i18n.t(`console.loop.change.${third}`, { category: categoryLabel(cat), before: String(c.before), after: String(c.after) });
  }
  if (head === 'calendar' && (cat === 'nonWorkingDays' || cat === 'workingDays')) {
    const removed = c.before as string[];
    const added = c.after as string[];
    const text = [
      ...(added.length ? [i18n.t('console.loop.change.added', { dates: added.join('、') })] : []),
      ...(removed.length ? [i18n.t('console.loop.change.removed', { dates: removed.join('、') })] : []),
    ].join('；');
    return i18n.t(`console.loop.change.${cat}`, { text });
  }
  return `${c.path}: ${JSON.stringify(c.before)} → ${JSON.stringify(c.after)}`;
}

/** A field path as the page keys its inputs: `limits.environment.urgent.handle.amount`, `calendar.workingDays`. */
export function pathKey(path: readonly PropertyKey[] | string): string {
  const parts = typeof path === 'string' ? path.split(/[.[\]]+/).filter(Boolean) : path.map(String);
  // A calendar date's issue belongs to its list (one input adds to it).
  if (parts[0] === 'calendar') return parts.slice(0, 2).join('.');
  return parts.join('.');
}
