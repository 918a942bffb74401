/** Messages of the three lists (三张清单): needs, resources, projects and matching, spread into shared/i18n/console.ts; zh-CN first. */
export const zhCN = {
  'console.nav.lists': '三张清单',
} as const;

export const en: Record<keyof typeof zhCN, string> = {
  'console.nav.lists': 'Three lists',
};
