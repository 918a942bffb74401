/** Messages of the social worker's desk (社工): cases, services, today's visits, spread into shared/i18n/console.ts; zh-CN first. */
export const zhCN = {
  'console.nav.casework': '社工服务',
} as const;

export const en: Record<keyof typeof zhCN, string> = {
  'console.nav.casework': 'Social work',
};
