/** The navigation's icons by name (NavIcon.svelte draws them). */

/**
 * The five subjects' desks, and the field logs: a character in a rounded square, as they are known
 * (志 活 兑 社 组 慈 单, 巡 for 巡查走访).
 */
export const GLYPHS = { volunteer: '志', activity: '活', exchange: '兑', casework: '社', org: '组', charity: '慈', lists: '单', patrol: '巡', emergency: '急' } as const;
export type GlyphName = keyof typeof GLYPHS;

export type NavIconName = 'home' | 'users' | 'display' | 'key' | 'audit' | 'lock' | 'wall' | 'queue' | 'worker' | 'map' | 'settings' | 'chart'
  | GlyphName;
