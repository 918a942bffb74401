/**
 * The charity desk's small helpers: yuan typed into a form as fen (the API's unit), what a gift
 * or a disbursement is in a line of text, and the projects and needs a form picks from.
 */
import { yuan, type CharityTargetView } from '../../../../shared/charity.ts';
import { i18n } from '../../i18n.svelte.ts';

/** "12.5" → 1250; "" or anything not a positive amount with at most two decimals → null. */
export function centsOf(text: string): number | null {
  const t = text.trim().replace(/[,，\s]/g, '');
  if (!/^\d{1,9}(\.\d{1,2})?$/.test(t)) return null;
  const [whole, frac = ''] = t.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
}

/** "12" → 12; anything not a whole number ≥ 1 → null. */
export function countOf(text: string): number | null {
  const t = text.trim();
  return /^\d{1,7}$/.test(t) && Number(t) > 0 ? Number(t) : null;
}

/** ¥1,250.50; -¥300 */
export const money = (cents: number | null | undefined): string => `${(cents ?? 0) < 0 ? '-' : ''}¥${yuan(Math.abs(cents ?? 0))}`;

/** 棉被 10床 (zh) / 棉被 × 10 床 (en): figures and the typed words, no language of their own. */
export const goodsLine = (item: string | null, quantity: number | null, unit: string | null): string =>
  i18n.locale === 'en' ? `${item ?? ''} × ${quantity ?? 0} ${unit ?? ''}` : `${item ?? ''} ${quantity ?? 0}${unit ?? ''}`;

/** A gift or a disbursement in a line: ¥500, or 大米 10袋. */
export function whatOf(r: { kind: 'money' | 'goods'; amountCents: number | null; item: string | null; quantity: number | null; unit: string | null }): string {
  return r.kind === 'money' ? money(r.amountCents) : goodsLine(r.item, r.quantity, r.unit);
}

/** `project:3` / `need:12` ↔ the body's projectId / needId. */
export const targetValue = (t: Pick<CharityTargetView, 'kind' | 'id'>): string => `${t.kind}:${t.id}`;
export function targetIds(value: string): { projectId?: number; needId?: number } {
  const [kind, id] = value.split(':');
  if (kind === 'project') return { projectId: Number(id) };
  if (kind === 'need') return { needId: Number(id) };
  return {};
}

/** A target as an option: 项目 · 助老食堂 / 需求 · 独居老人送餐. */
export const targetLabel = (t: CharityTargetView): string =>
  i18n.t(t.kind === 'project' ? 'console.charity.projectOption' : 'console.charity.needOption', { name: t.name });

/** The name of what a record went to, from the targets the page holds (else #id). */
export function targetName(targets: readonly CharityTargetView[], r: { projectId: number | null; needId: number | null }): string | null {
  const find = (kind: 'project' | 'need', id: number | null) => (id === null ? null : targets.find((t) => t.kind === kind && t.id === id));
  const t = find('project', r.projectId) ?? find('need', r.needId);
  if (t) return targetLabel(t);
  if (r.projectId !== null) return i18n.t('console.charity.projectOption', { name: `#${r.projectId}` });
  if (r.needId !== null) return i18n.t('console.charity.needOption', { name: `#${r.needId}` });
  return null;
}
