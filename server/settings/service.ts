/**
 * The loop's settings per community: the version in force, its history, and saving a new
 * version (admins). Every save is a new row, checked against the version the admin read (a
 * stale save is a 409 naming who saved last and when). The rules the events service computes
 * new deadlines with are cached per community and replaced once a save commits.
 */
import type { Db } from '../db/index.ts';
import type { WriteQueue } from '../db/write-queue.ts';
import type { Directory } from '../kernel/community.ts';
import { authorise } from '../kernel/rules.ts';
import type { Principal } from '../principal.ts';
import { DomainError } from '../errors.ts';
import {
  DEFAULT_LOOP_SETTINGS, loopRules, normaliseSettings, settingsChanges,
  type CommunityRules, type LoopSettings, type SaveLoopSettingsBody,
} from '../../shared/loop-settings.ts';
import { isoInZone } from '../../shared/time.ts';
import { READ, WRITE } from './access.ts';
import { SettingsStore, type SettingsVersion } from './store.ts';

export interface SettingsServiceDeps {
  db: Db;
  /** Saves go through the group-commit queue like every other write. */
  queue: Pick<WriteQueue<unknown>, 'runAs'>;
  directory: Directory;
  now: () => number;
  /** The name people know an account by, for "saved by". */
  actorName?: (username: string) => string | null;
}

/** A version as the API answers it: times in the community's zone, who by name. */
export interface SettingsVersionView {
  version: number;
  at: string | null;
  by: string | null;
  byName: string | null;
  settings: LoopSettings;
  changes: SettingsVersion['changes'];
  note: string | null;
}

export class SettingsService {
  #store: SettingsStore;
  #queue: SettingsServiceDeps['queue'];
  #dir: Directory;
  #now: () => number;
  #actorName: (username: string) => string | null;
  /** Per community: the version in force and its rules (built once per save, not per action). */
  #cache = new Map<string, { current: SettingsVersion | null; rules: CommunityRules; timeZone: string }>();

  constructor(deps: SettingsServiceDeps) {
    this.#store = new SettingsStore(deps.db);
    this.#queue = deps.queue;
    this.#dir = deps.directory;
    this.#now = deps.now;
    this.#actorName = deps.actorName ?? (() => null);
  }

  /** The settings in force and their version (0: taxonomy's defaults, never saved). */
  current(p: Principal): SettingsVersionView {
    authorise(p, READ, 'read the loop settings');
    return this.#view(p.communityId, this.#entry(p.communityId).current);
  }

  /** Every saved version, newest first, with who saved it, when and what changed. */
  history(p: Principal): SettingsVersionView[] {
    authorise(p, READ, 'read the loop settings');
    return this.#store.history(p.communityId).map((v) => this.#view(p.communityId, v));
  }

  /** Save `body` as the next version, if `body.expectedVersion` is still the newest. */
  async save(p: Principal, body: SaveLoopSettingsBody): Promise<SettingsVersionView> {
    authorise(p, WRITE, 'change the loop settings');
    const { expectedVersion, note, ...rest } = body;
    const settings = normaliseSettings(rest);
    const saved = await this.#queue.runAs(p, (ctx) => {
      // Dropped before and after: a transition in the same group may have cached what this writes.
      this.#cache.delete(p.communityId);
      const latest = this.#store.latest(p.communityId);
      const version = latest?.version ?? 0;
      if (expectedVersion !== version) {
        const changedBy = latest ? this.#nameOf(latest.by) : null;
        throw new DomainError(409, 'error.version_conflict',
          `the loop settings are at version ${version}, not ${expectedVersion}${changedBy ? `: saved by ${changedBy}` : ''}`,
          undefined, {
            version, changedBy,
            changedAt: latest ? isoInZone(latest.at, this.#dir.timeZoneOf(p.communityId)) : null,
          });
      }
      const v: SettingsVersion = {
        version: version + 1, at: this.#now(), by: p.id, settings,
        changes: settingsChanges(latest?.settings ?? DEFAULT_LOOP_SETTINGS, settings), note: note || null,
      };
      this.#store.insert(p.communityId, v);
      ctx.changed();
      return v;
    }).finally(() => this.#cache.delete(p.communityId));
    // Committed: new deadlines follow it from now on.
    return this.#view(p.communityId, saved);
  }

  /** The rules a community's new deadlines are computed with now (what the events service asks for). */
  rulesOf(communityId: string): CommunityRules {
    return this.#entry(communityId).rules;
  }

  #entry(communityId: string) {
    const timeZone = this.#dir.timeZoneOf(communityId);
    let e = this.#cache.get(communityId);
    if (!e || e.timeZone !== timeZone) {
      const current = this.#store.latest(communityId);
      e = { current, rules: loopRules(current?.settings ?? DEFAULT_LOOP_SETTINGS, timeZone), timeZone };
      this.#cache.set(communityId, e);
    }
    return e;
  }

  #nameOf(username: string): string {
    return this.#actorName(username) ?? username;
  }

  #view(communityId: string, v: SettingsVersion | null): SettingsVersionView {
    if (!v) return { version: 0, at: null, by: null, byName: null, settings: DEFAULT_LOOP_SETTINGS, changes: [], note: null };
    return {
      version: v.version, at: isoInZone(v.at, this.#dir.timeZoneOf(communityId)), by: v.by, byName: this.#nameOf(v.by),
      settings: v.settings, changes: v.changes, note: v.note,
    };
  }
}
