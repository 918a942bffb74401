/**
 * The loop settings' statements and row mapping: versions are inserted, never updated; the
 * newest is in force.
 */
import type { Db } from '../db/index.ts';
import { DEFAULT_LOOP_SETTINGS, type LoopSettings, type SettingsChange } from '../../shared/loop-settings.ts';

interface VersionRow {
  community_id: string;
  version: number;
  at: number;
  by: string;
  settings: string;
  changes: string;
  note: string | null;
}

/** One saved version as the service reads it. */
export interface SettingsVersion {
  version: number;
  at: number;
  by: string;
  settings: LoopSettings;
  changes: SettingsChange[];
  note: string | null;
}

/** How many versions the history lists (newest first). */
export const HISTORY_LIMIT = 200;

export class SettingsStore {
  #stmt;

  constructor(db: Db) {
    this.#stmt = {
      latest: db.prepare('SELECT * FROM loop_settings WHERE community_id = ? ORDER BY version DESC LIMIT 1'),
      history: db.prepare(`SELECT * FROM loop_settings WHERE community_id = ? ORDER BY version DESC LIMIT ${HISTORY_LIMIT}`),
      insert: db.prepare('INSERT INTO loop_settings (community_id, version, at, by, settings, changes, note) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    };
  }

  latest(communityId: string): SettingsVersion | null {
    const row = this.#stmt.latest.get(communityId) as VersionRow | undefined;
    return row ? fromRow(row) : null;
  }

  history(communityId: string): SettingsVersion[] {
    return (this.#stmt.history.all(communityId) as VersionRow[]).map(fromRow);
  }

  insert(communityId: string, v: SettingsVersion): void {
    this.#stmt.insert.run(communityId, v.version, v.at, v.by, JSON.stringify(v.settings), JSON.stringify(v.changes), v.note);
  }
}

function fromRow(r: VersionRow): SettingsVersion {
  return { version: r.version, at: r.at, by: r.by, settings: withDefaults(JSON.parse(r.settings)), changes: JSON.parse(r.changes), note: r.note };
}

/**
 * Stored settings, with what a later taxonomy added taken from the defaults and what it
 * dropped left out: a category added after a save runs on its defaults until the next save.
 */
export function withDefaults(stored: Partial<LoopSettings>): LoopSettings {
  const d = DEFAULT_LOOP_SETTINGS;
  const pick = <T>(saved: Record<string, T> | undefined, defaults: Record<string, T>) =>
    Object.fromEntries(Object.keys(defaults).map((k) => [k, saved?.[k] ?? defaults[k]!]));
  return {
    limits: pick(stored.limits, d.limits) as LoopSettings['limits'],
    remindAtRemaining: stored.remindAtRemaining ?? d.remindAtRemaining,
    evidence: pick(stored.evidence, d.evidence),
    duplicates: pick(stored.duplicates, d.duplicates),
    calendar: stored.calendar ?? d.calendar,
  };
}
