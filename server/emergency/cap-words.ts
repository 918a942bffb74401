/**
 * The words CAP 1.2 messages are written with (server/emergency/cap.ts), zh-CN first. The
 * messages are made on the server, so these live here rather than in the shared catalogues
 * every surface's bundle carries (the wall's JavaScript has a budget); incident types, levels,
 * colours and the drill note come from those catalogues, as every surface shows them.
 */
import { fill } from '../../shared/i18n.ts';

export const zhCN = {
  'cap.description': '{type}，{level}，{colour}。影响范围：{area}。',
  'cap.drillHeadline': '【演练】{headline}',
  'cap.endedHeadline': '【已解除】{headline}',
  'cap.ended': '本次应急事件已结束，预警解除。',
  'cap.areaAll': '{community}全社区',
  'cap.feedTitle': '{community}应急信息（CAP 1.2）：{headline}',
} as const;

export type CapWordKey = keyof typeof zhCN;

export const en: Record<CapWordKey, string> = {
  'cap.description': '{type}, {level}, {colour}. Affected area: {area}.',
  'cap.drillHeadline': '[DRILL] {headline}',
  'cap.endedHeadline': '[ENDED] {headline}',
  'cap.ended': 'This emergency has ended; the warning is lifted.',
  'cap.areaAll': 'All of {community}',
  'cap.feedTitle': '{community} emergency messages (CAP 1.2): {headline}',
};

/** A CAP word in `locale`, `{name}` filled from `params`. */
export function capWord(locale: 'zh-CN' | 'en', key: CapWordKey, params: Record<string, string> = {}): string {
  return fill((locale === 'en' ? en : zhCN)[key], params);
}
