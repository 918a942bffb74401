/** Messages of the community register every surface may need (its errors), merged into shared/i18n.ts; zh-CN first. The desk's are in console-register.ts. */
export const zhCN = {
  'error.register_exists': '登记册中已有这条记录（相同的地址、房号或身份证号）',
} as const;

export const en: Record<keyof typeof zhCN, string> = {
  'error.register_exists': 'The register already holds this (the same address, room or ID number)',
};
