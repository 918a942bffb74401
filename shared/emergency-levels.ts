/**
 * Emergency mode's vocabulary as plain data (no zod, so the wall's bundle stays small and needs
 * no eval): incident types, levels and their colours, CAP steps, statuses. shared/emergency.ts
 * re-exports it beside the schemas.
 */
/** What kind of emergency (台风防汛, 高温, 火灾, 燃气, 疫情, 停水停电, 地震, 其他). */
export const INCIDENT_TYPES = ['typhoon', 'heat', 'fire', 'gas', 'epidemic', 'outage', 'earthquake', 'other'] as const;
export type IncidentType = (typeof INCIDENT_TYPES)[number];

/** Warning levels: 1 (Ⅰ, red, 特别重大) is the gravest, 4 (Ⅳ, blue, 一般) the mildest. */
export const INCIDENT_LEVELS = [1, 2, 3, 4] as const;
export type IncidentLevel = (typeof INCIDENT_LEVELS)[number];

/** Each level's colour (its background) and the text colour that reads on it from across a room. */
export const LEVEL_COLOURS: Record<IncidentLevel, { name: 'red' | 'orange' | 'yellow' | 'blue'; bg: string; fg: string }> = {
  1: { name: 'red', bg: '#d7191c', fg: '#ffffff' },
  2: { name: 'orange', bg: '#f26b0f', fg: '#ffffff' },
  3: { name: 'yellow', bg: '#f7c600', fg: '#1a1a1a' },
  4: { name: 'blue', bg: '#1565d8', fg: '#ffffff' },
};

/** The roman numeral of a level (Ⅰ … Ⅳ). */
export const levelNumeral = (level: IncidentLevel): string => ['Ⅰ', 'Ⅱ', 'Ⅲ', 'Ⅳ'][level - 1]!;

/** The CAP 1.2 message types an incident's steps are. */
export const INCIDENT_STEPS = ['alert', 'update', 'cancel'] as const;
export type IncidentStep = (typeof INCIDENT_STEPS)[number];

export const INCIDENT_STATUSES = ['active', 'ended'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

