/** Messages of the charity desk (慈善资源): donations, the fund, goods, the books, spread into shared/i18n/console.ts; zh-CN first. */
export const zhCN = {
  'console.nav.charity': '慈善资源',
} as const;

export const en: Record<keyof typeof zhCN, string> = {
  'console.nav.charity': 'Charity',
};
