/**
 * The five-subject read model: `SubjectViews` per community, kept in memory and served with
 * every snapshot and batch.
 *
 * Grid-event aggregates are maintained by deltas (live/read-model.ts) because events arrive by
 * the thousand. The other subjects change at human pace (a check-in, a donation) and their
 * figures span six domains; they are recomputed, when something changed or the minute turned,
 * from indexed queries over bounded windows (today, this month, 30 days of hourly rollups) and
 * cached. A recompute costs a few milliseconds at community scale and happens at most once per
 * batch (docs/PERFORMANCE.md measures it); a snapshot never pays for it twice.
 *
 * The feed (the wall's linkage lines) is a ring of the latest subject changes' masked lines,
 * seeded at start from the journal.
 *
 * Privacy. Services mask the names a record carries before a line is written; free text typed
 * by staff (an activity's title, a project's name) may still name someone else. So every string
 * of these views and of the feed passes through the masker of every person the community holds
 * by name (server/privacy/known-names.ts), and again whenever that masker learns a name: a
 * public wall never shows a full name that the database holds.
 */
import type { Db } from '../db/index.ts';
import type { Directory } from '../kernel/community.ts';
import type { ViewContext } from '../events/record.ts';
import type { Kpis } from '../../shared/protocol.ts';
import { FEED_LIMIT, SUBJECTS, type FeedDraft, type FeedItem, type SubjectKind, type SubjectViews } from '../../shared/subjects.ts';
import { DAY_MS, isoInZone, localDay, startOfLocalDay } from '../../shared/time.ts';
import type { NameMasker } from '../../shared/mask.ts';
import type { KnownNames } from '../privacy/known-names.ts';
import { singlesOutSql } from '../../shared/disclosure.ts';
import { monthOf, monthRange } from '../../shared/volunteers.ts';
import type { SubjectChange } from '../kernel/journal.ts';
import { keptStatements, type StatsContext } from '../kernel/stats-context.ts';
import type { Metrics, MetricTotals } from '../kernel/metrics.ts';
import { volunteerStats } from '../volunteers/stats.ts';
import { orgStats, socialWorkStats } from '../orgs/stats.ts';
import { charityStats } from '../charity/stats.ts';
import { linkageFlow, needStats, populationCare } from '../needs/stats.ts';

/** Cached views older than this are recomputed even when nothing changed: "today" and "on duty" move with the clock. */
const MAX_AGE_MS = 60_000;

export interface SubjectStatsDeps {
  db: Db;
  metrics: Metrics;
  directory: Directory;
  /** Every person each community holds by name: the masker of what reaches a wall. */
  names: KnownNames;
}

interface Cached {
  at: number;
  dirty: boolean;
  /** As computed, unmasked: masked again when the community's names change. */
  raw: Omit<SubjectViews, 'feed'>;
  views: Omit<SubjectViews, 'feed'>;
  /** The names' generation `views` were masked at. */
  generation: number;
}

/** A community's feed: the lines as written, and as masked at `generation`. */
interface Feed {
  raw: FeedItem[];
  masked: FeedItem[];
  generation: number;
}

/** Every string in `value`, recursively, through the masker (numbers and structure untouched). */
function maskStrings<T>(value: T, m: NameMasker): T {
  if (typeof value === 'string') return m.apply(value) as T;
  if (Array.isArray(value)) return value.map((v) => maskStrings(v, m)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskStrings(v, m);
    return out as T;
  }
  return value;
}

export class SubjectStats {
  #deps: SubjectStatsDeps;
  #cache = new Map<string, Cached>();
  #feeds = new Map<string, Feed>();
  /** The stats functions' statements, prepared once (`StatsContext.db`). */
  #queries: StatsContext['db'];
  /** How many times views were computed, for the benchmark and tests. */
  computed = 0;

  constructor(deps: SubjectStatsDeps) {
    this.#deps = deps;
    this.#queries = keptStatements(deps.db);
  }

  /** Load the feeds from the journal: the latest lines of each community, by when they happened (seeds and paper records are back-dated). */
  rebuild(viewContext: (communityId: string) => ViewContext) {
    this.#cache.clear();
    this.#feeds.clear();
    const stmt = this.#deps.db.prepare(
      `SELECT seq, at, data FROM journal
        WHERE community_id = ? AND entity IS NOT NULL AND data LIKE '%"feed":%'
        ORDER BY at DESC, seq DESC LIMIT ?`,
    );
    for (const c of this.#deps.directory.communities.values()) {
      const tz = viewContext(c.id).timeZone;
      const rows = stmt.all(c.id, FEED_LIMIT) as { seq: number; at: number; data: string }[];
      const raw: FeedItem[] = [];
      for (const r of rows) {
        const draft = (JSON.parse(r.data) as { feed?: FeedDraft }).feed;
        if (draft) raw.push({ ...draft, seq: r.seq, at: isoInZone(r.at, tz) });
      }
      this.#feeds.set(c.id, { raw, masked: [], generation: -1 });
    }
  }

  /**
   * Take committed subject changes: their communities' views go stale, their lines join the
   * feed, masked with the names known after these changes (one of them may have added a person).
   */
  apply(changes: SubjectChange[], viewContext: (communityId: string) => ViewContext) {
    this.#deps.names.refresh();
    for (const ch of changes) {
      const cached = this.#cache.get(ch.communityId);
      if (cached) cached.dirty = true;
      if (!ch.feed) continue;
      let feed = this.#feeds.get(ch.communityId);
      if (!feed) this.#feeds.set(ch.communityId, (feed = { raw: [], masked: [], generation: -1 }));
      const item: FeedItem = { ...ch.feed, seq: ch.seq, at: isoInZone(ch.at, viewContext(ch.communityId).timeZone) };
      feed.raw.unshift(item);
      if (feed.raw.length > FEED_LIMIT) feed.raw.length = FEED_LIMIT;
      if (feed.generation === this.#deps.names.generation(ch.communityId)) {
        feed.masked.unshift(maskStrings(item, this.#masker(ch.communityId)));
        if (feed.masked.length > FEED_LIMIT) feed.masked.length = FEED_LIMIT;
      }
    }
  }

  /**
   * The views at `now`. `events` are the grid-event KPIs of the same moment: the community's
   * glance and the events' satisfaction come from them, so the two never disagree.
   */
  views(communityId: string, now: number, events: Kpis): SubjectViews {
    let cached = this.#cache.get(communityId);
    const tz = this.#deps.directory.timeZoneOf(communityId);
    this.#deps.names.refresh();
    const generation = this.#deps.names.generation(communityId);
    if (!cached || cached.dirty || now - cached.at >= MAX_AGE_MS || startOfLocalDay(now, tz) !== startOfLocalDay(cached.at, tz)) {
      const raw = this.#compute(communityId, now, tz);
      cached = { at: now, dirty: false, raw, views: maskStrings(raw, this.#masker(communityId)), generation };
      this.#cache.set(communityId, cached);
    } else if (cached.generation !== generation) {
      // Someone was added or renamed since: their name may be in a title computed before.
      cached.views = maskStrings(cached.raw, this.#masker(communityId));
      cached.generation = generation;
    }
    const v = cached.views;
    const workers = this.#deps.directory.gridInfos(communityId).filter((g) => g.workerId).length;
    const satisfaction = { ...v.satisfaction, events: events.satisfaction };
    return {
      ...v,
      glance: { ...v.glance, community: { total: workers, active: events.openNow, today: events.reportedToday } },
      satisfaction: { ...satisfaction, overall: overall(satisfaction) },
      feed: this.#feed(communityId, generation),
    };
  }

  /** The community's feed masked with the names it knows now. */
  #feed(communityId: string, generation: number): FeedItem[] {
    const feed = this.#feeds.get(communityId);
    if (!feed) return [];
    if (feed.generation !== generation) {
      const masker = this.#masker(communityId);
      feed.masked = feed.raw.map((item) => maskStrings(item, masker));
      feed.generation = generation;
    }
    return feed.masked;
  }

  #masker(communityId: string): NameMasker {
    return this.#deps.names.masker(communityId);
  }

  /** Mark every community's views stale (tests that move the clock use it). */
  invalidate() {
    for (const c of this.#cache.values()) c.dirty = true;
  }

  #compute(communityId: string, now: number, timeZone: string): Omit<SubjectViews, 'feed'> {
    this.computed++;
    const { metrics } = this.#deps;
    const db = this.#queries;
    const today = startOfLocalDay(now, timeZone);
    const days: number[] = [];
    // Local midnights, stepping back a day and snapping (a DST day is 23 or 25 hours long).
    for (let d = today, i = 0; i < 30; i++, d = startOfLocalDay(d - 12 * 3_600_000, timeZone)) days.unshift(d);
    const ctx: StatsContext = {
      db, metrics, communityId, timeZone, now, today,
      monthStart: monthRange(monthOf(now, timeZone), timeZone).start,
      windowStart: now - 30 * DAY_MS,
      days,
      iso: (ms) => isoInZone(ms, timeZone),
      day: (ms) => localDay(ms, timeZone),
    };
    const volunteers = volunteerStats(ctx);
    const orgs = orgStats(ctx);
    const socialWork = socialWorkStats(ctx);
    const charity = charityStats(ctx);
    const needs = needStats(ctx);
    const { subject: bySubject, grid: byGrid } = metrics.bySubjectAndGrid(communityId, ctx.windowStart, now + 1);
    const sat = satisfactionOf(db, communityId, ctx.windowStart);
    const openNeeds = new Map(
      (db.prepare(
        // Needs that could single a key population's resident out are not counted by grid (shared/disclosure.ts).
        `SELECT grid_id AS g, COUNT(*) AS n FROM needs
          WHERE community_id = ? AND status IN ('raised', 'matched', 'in_progress') AND grid_id IS NOT NULL
            AND NOT ${singlesOutSql()} GROUP BY grid_id`,
      ).all(communityId) as { g: string; n: number }[]).map((r) => [r.g, r.n]),
    );
    return {
      glance: {
        community: { total: 0, active: 0, today: 0 },
        org: { total: orgs.registered, active: orgs.projectsActive, today: orgsToday(db, communityId, today) },
        social_worker: { total: socialWork.workers, active: socialWork.casesOpen, today: socialWork.servicesToday },
        volunteer: { total: volunteers.registered, active: volunteers.onDuty, today: volunteers.servicesToday },
        charity: { total: charity.donorsMonth, active: goodsInStock(db, communityId), today: charity.donationsToday },
      },
      volunteers, orgs, socialWork, charity, needs,
      satisfaction: { events: null, needs: sat.needs, services: sat.services, overall: null, ratings: sat.ratings },
      metrics: SUBJECTS.map((subject) => metricOf(subject, bySubject.get(subject))),
      grids: this.#deps.directory.gridsOf(communityId).map((g) => {
        const t = byGrid.get(g.id);
        return { gridId: g.id, services: t?.services ?? 0, beneficiaries: t?.beneficiaries ?? 0, needsOpen: openNeeds.get(g.id) ?? 0 };
      }),
      linkage: linkageFlow(ctx),
      care: populationCare(ctx),
    };
  }
}

function metricOf(subject: SubjectKind, t: MetricTotals | undefined) {
  return {
    subject,
    services: t?.services ?? 0,
    beneficiaries: t?.beneficiaries ?? 0,
    satisfaction: t?.sat_n ? t.sat_sum / t.sat_n : null,
    responseHours: t?.response_n ? t.response_ms / t.response_n / 3_600_000 : null,
  };
}

/** Kinds of goods on hand (the wall's panel shows only the largest few). */
function goodsInStock(db: StatsContext['db'], communityId: string): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM goods WHERE community_id = ? AND on_hand > 0').get(communityId) as { n: number }).n;
}

/** Services delivered today by organizations (their own and under the projects they run). */
function orgsToday(db: StatsContext['db'], communityId: string, today: number): number {
  return (db.prepare(
    "SELECT COUNT(*) AS n FROM services WHERE community_id = ? AND ended_at >= ? AND org_id IS NOT NULL",
  ).get(communityId, today) as { n: number }).n;
}

/** Mean ratings of needs met and services delivered over the window, with how many there were. */
function satisfactionOf(db: StatsContext['db'], communityId: string, since: number) {
  const needs = db.prepare(
    'SELECT COUNT(*) AS n, AVG(satisfaction) AS avg FROM needs WHERE community_id = ? AND rated_at >= ? AND satisfaction IS NOT NULL',
  ).get(communityId, since) as { n: number; avg: number | null };
  const services = db.prepare(
    'SELECT COUNT(*) AS n, AVG(satisfaction) AS avg FROM services WHERE community_id = ? AND ended_at >= ? AND satisfaction IS NOT NULL',
  ).get(communityId, since) as { n: number; avg: number | null };
  return { needs: needs.avg, services: services.avg, ratings: needs.n + services.n };
}

/** The mean of the sources that have ratings, each weighing as one (a source with thousands of ratings does not drown the others). */
function overall(s: { events: number | null; needs: number | null; services: number | null }): number | null {
  const present = [s.events, s.needs, s.services].filter((x): x is number => x !== null);
  return present.length ? present.reduce((a, b) => a + b, 0) / present.length : null;
}
