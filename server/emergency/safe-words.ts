/**
 * The words of the household's self-report page (/safe/<token>, server/emergency/safe-page.ts),
 * zh-CN first. The page is plain HTML from the server, so they live here rather than in the
 * shared catalogues every surface's bundle carries (the wall's JavaScript has a budget).
 */
import { fill } from '../../shared/i18n.ts';

export const zhCN = {
  'safe.title': '平安报告',
  'safe.intro': '社区正在逐户确认大家是否平安。请为本户选择：',
  'safe.imSafe': '我平安',
  'safe.needHelp': '我需要帮助',
  'safe.thanksSafe': '已收到：本户平安。谢谢！',
  'safe.thanksHelp': '已收到：社区会尽快联系或上门。如有危险请拨打 119 / 120 / 110。',
  'safe.current': '本户当前登记：{status}',
  'safe.drill': '演练',
  'safe.ended': '本次应急已结束，无需再报告。',
  'safe.notFound': '链接无效或已失效。',
  'safe.tooMany': '尝试次数过多，请稍后再试。',
} as const;

export type SafeKey = keyof typeof zhCN;

export const en: Record<SafeKey, string> = {
  'safe.title': 'Are you safe?',
  'safe.intro': 'The community is checking on every household. Please choose for yours:',
  'safe.imSafe': 'I am safe',
  'safe.needHelp': 'I need help',
  'safe.thanksSafe': 'Received: your household is safe. Thank you!',
  'safe.thanksHelp': 'Received: the community will call or come as soon as it can. In danger, call 119 / 120 / 110.',
  'safe.current': 'Your household now: {status}',
  'safe.drill': 'Drill',
  'safe.ended': 'This emergency has ended; nothing more to report.',
  'safe.notFound': 'This link is not valid.',
  'safe.tooMany': 'Too many tries; please try again later.',
};

/** A page word in `locale`, `{name}` filled from `params`. */
export function safeWord(locale: 'zh-CN' | 'en', key: SafeKey, params: Record<string, string> = {}): string {
  return fill((locale === 'en' ? en : zhCN)[key], params);
}
