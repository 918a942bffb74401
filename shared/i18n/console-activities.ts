/** Messages of activities (志愿活动): sign-ups and the check-in desk, spread into shared/i18n/console.ts; zh-CN first. */
export const zhCN = {
  'console.nav.activities': '志愿活动',
} as const;

export const en: Record<keyof typeof zhCN, string> = {
  'console.nav.activities': 'Activities',
};
