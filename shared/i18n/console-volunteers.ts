/** Messages of the volunteer coordinator's desk (志愿服务): registry, profiles, teams, service records, certificates, spread into shared/i18n/console.ts; zh-CN first. */
export const zhCN = {
  'console.nav.volunteers': '志愿服务',
} as const;

export const en: Record<keyof typeof zhCN, string> = {
  'console.nav.volunteers': 'Volunteers',
};
