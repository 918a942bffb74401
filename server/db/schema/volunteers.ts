/** Migration 3, volunteers: when each can serve (JSON {"days":[1..7],"from":"HH:MM","to":"HH:MM"}; null = not given). */
export const VOLUNTEERS_SQL = `
  ALTER TABLE volunteers ADD COLUMN availability TEXT;
`;
