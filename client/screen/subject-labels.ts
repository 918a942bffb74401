/**
 * Names for the five-subject scenes: subjects, service categories, linkage nodes and feed lines,
 * in the page's language. Keys other engineers own (the `feed.*` lines, `glance.*` labels) may
 * not exist yet or may be renamed; a missing one falls back to a plain line rather than showing
 * a raw key on the wall.
 */
import { CATALOGUES, type MessageKey } from '../../shared/i18n.ts';
import { SERVICE_CATEGORIES, SUBJECTS, type FeedItem, type SubjectKind } from '../../shared/subjects.ts';
import { i18n } from './i18n.svelte.ts';

/** One colour per subject, the same on cards, chips and the Sankey. */
export const SUBJECT_COLORS: Record<SubjectKind, string> = {
  community: '#29d4ff',
  org: '#7c8cff',
  social_worker: '#36cfc9',
  volunteer: '#ffb020',
  charity: '#ff7a9c',
};

export const OUTCOME_COLORS: Record<string, string> = {
  met: '#3ee089',
  in_progress: '#ffc53d',
  waiting: '#69b1ff',
  unmet: '#ff6b6b',
};

const categories = new Map<string, (typeof SERVICE_CATEGORIES)[number]>(SERVICE_CATEGORIES.map((c) => [c.code, c]));

/** Is `key` a message of either catalogue? */
export function hasMessage(key: string): key is MessageKey {
  return key in CATALOGUES[i18n.locale] || key in CATALOGUES['zh-CN'];
}

/** The first of `keys` that exists, translated; the last is ours and always does. */
export function firstMessage(keys: string[], params?: Record<string, string | number>): string {
  for (const k of keys) if (hasMessage(k)) return i18n.t(k, params);
  return keys.at(-1) ?? '';
}

export function isSubject(v: string): v is SubjectKind {
  return (SUBJECTS as readonly string[]).includes(v);
}

export function subjectName(kind: SubjectKind): string {
  return i18n.t(`scene.subject.${kind}` as MessageKey);
}

export function categoryLabel(code: string): string {
  const c = categories.get(code);
  return c ? i18n.pick(c) : code;
}

export function categoryColor(code: string): string {
  return categories.get(code)?.color ?? '#8fb3d9';
}

/** What a glance figure means for a subject: the domain's label if it wrote one, else ours. */
export function glanceLabel(kind: SubjectKind, field: 'total' | 'active' | 'today'): string {
  return firstMessage([`glance.${kind}.${field}`, `scene.glance.${kind}.${field}`]);
}

/** A linkage node id (`need:meals`, `subject:volunteer`, `outcome:met`) as a label and colour. */
export function linkageNode(id: string): { label: string; color: string; column: 'need' | 'subject' | 'outcome' | 'other' } {
  const [kind, code = ''] = id.split(':', 2) as [string, string?];
  if (kind === 'need') return { label: categoryLabel(code), color: categoryColor(code), column: 'need' };
  // The needs domain names the flow's nodes (`linkage.*`, shorter than the cards' names); ours stand in.
  if (kind === 'subject' && isSubject(code)) {
    return { label: firstMessage([`linkage.subject.${code}`, `scene.subject.${code}`]), color: SUBJECT_COLORS[code], column: 'subject' };
  }
  if (kind === 'outcome') {
    const keys = [`linkage.outcome.${code}`, `scene.outcome.${code}`].filter(hasMessage);
    return { label: keys.length ? i18n.t(keys[0]!) : code, color: OUTCOME_COLORS[code] ?? '#8fb3d9', column: 'outcome' };
  }
  return { label: id, color: '#8fb3d9', column: 'other' };
}

/**
 * A feed line in the page's language. The server sends a `feed.*` key and masked parameters;
 * when this build has no such message the line still says who did something, from the params.
 */
export function feedText(item: FeedItem): string {
  const params = localParams(item.params);
  if (hasMessage(item.key)) return i18n.t(item.key, params);
  const parts = Object.entries(params)
    .filter(([k, v]) => !k.endsWith('Code') && v !== '' && v !== null && v !== undefined)
    .map(([, v]) => String(v));
  return parts.length ? parts.join(' · ') : i18n.t('scene.feed.fallback');
}

/**
 * Services write a label in Chinese next to its code (`category` and `categoryCode`, `subject`
 * and `subjectCode`); the label is redone from the code in the page's language.
 */
function localParams(params: FeedItem['params']): FeedItem['params'] {
  const out = { ...params };
  const category = params.categoryCode;
  if (typeof category === 'string' && categories.has(category)) out.category = categoryLabel(category);
  const subject = params.subjectCode;
  if (typeof subject === 'string' && isSubject(subject)) out.subject = firstMessage([`linkage.subject.${subject}`, `scene.subject.${subject}`]);
  return out;
}
