/** Messages of social organizations and their projects (社会组织与项目), spread into shared/i18n/console.ts; zh-CN first. */
export const zhCN = {
  'console.nav.orgs': '社会组织',
} as const;

export const en: Record<keyof typeof zhCN, string> = {
  'console.nav.orgs': 'Organizations',
};
