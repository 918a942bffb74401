/**
 * Migration 11, the loop's settings (server/settings): one row per saved version of a
 * community's settings, never updated. The newest version is in force; the older ones are the
 * history admins read (who saved, when, what changed). Version 0 is taxonomy's defaults and
 * has no row.
 */
export const LOOP_SETTINGS_SQL = `
CREATE TABLE loop_settings (
  id           INTEGER PRIMARY KEY,
  community_id TEXT NOT NULL REFERENCES communities(id),
  version      INTEGER NOT NULL CHECK (version >= 1),
  at           INTEGER NOT NULL,
  by           TEXT NOT NULL,
  settings     TEXT NOT NULL CHECK (json_valid(settings)),
  changes      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(changes)),
  note         TEXT,
  UNIQUE (community_id, version)
);
`;
