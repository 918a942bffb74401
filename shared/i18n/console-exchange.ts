/** Messages of the points exchange (积分超市): the cashier, the catalogue and stock, spread into shared/i18n/console.ts; zh-CN first. */
export const zhCN = {
  'console.nav.exchange': '积分超市',
} as const;

export const en: Record<keyof typeof zhCN, string> = {
  'console.nav.exchange': 'Points exchange',
};
