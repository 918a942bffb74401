/** Messages of the auth part of the cockpit (merged into shared/i18n.ts; zh-CN first). */
export const zhCN = {
} as const;

export const en: Record<keyof typeof zhCN, string> = {
};
