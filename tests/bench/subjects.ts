/**
 * 6. The five subjects' views. `SubjectStats` recomputes a community's `views.subjects` by
 * indexed SQL whenever a subject change made them stale (or they are a minute old), on the
 * event loop, before a batch goes out. This measures one recompute on a server with the whole
 * demo installed (a month of every subject, written through the services), then again after
 * eleven more months of history are added by SQL, to show that the cost follows the windows
 * (today, this month, 30 days), not the history; and `SubjectStats.apply`, which every commit
 * with subject changes calls, with one feed line.
 *
 * The demo is installed once per benchmark process (`demoTemplate`) and each measurement runs
 * on its own copy of the data folder; mixed.ts uses the same template.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startServer, tempDataDir, type TestServer } from '../support/server.ts';
import { installSubjects } from '../../server/demo/index.ts';
import { ACTIVITY_TEMPLATES, volunteerNames } from '../../server/demo/volunteers.ts';
import { DEMO_COMMUNITY } from '../../server/demo/community.ts';
import { seededRandom } from '../../server/demo/seed.ts';
import { VolunteerService } from '../../server/volunteers/service.ts';
import { dataFile, type Cerebellum } from '../../server/app.ts';
import { type Db } from '../../server/db/index.ts';
import { openDatabase } from '../../server/database.ts';
import type { SubjectChange } from '../../server/kernel/journal.ts';
import { keptStatements, type StatsContext } from '../../server/kernel/stats-context.ts';
import { METRIC_COLUMNS } from '../../server/kernel/metrics.ts';
import { KnownNames } from '../../server/privacy/known-names.ts';
import { volunteerStats } from '../../server/volunteers/stats.ts';
import { orgStats, socialWorkStats } from '../../server/orgs/stats.ts';
import { charityStats } from '../../server/charity/stats.ts';
import { linkageFlow, needStats, populationCare } from '../../server/needs/stats.ts';
import { DAY_MS, HOUR_MS, isoInZone, startOfLocalDay, wallTime } from '../../shared/time.ts';
import { monthOf, monthRange } from '../../shared/volunteers.ts';
import type { Principal } from '../../server/principal.ts';
import { clock, round, summarize } from './lib.ts';

// ---- the demo, installed once ------------------------------------------------------------------

/** Volunteers signed up, not yet checked in, for activities the simulators no longer look at. */
export interface StagedParticipation {
  activityId: number;
  volunteerId: number;
  startsAt: number;
  endsAt: number;
}

export interface DemoTemplate {
  /** A data folder with the demo community, 30 days of grid events and every subject seeded. */
  dir: string;
  /** Seconds `installSubjects` took. */
  installSeconds: number;
  seeded: Awaited<ReturnType<typeof installSubjects>>;
  staged: StagedParticipation[];
}

/** The simulators' story speed in mixed.ts (SIM_SPEED): reports and lifecycle steps 600 times faster than life. */
export const DEMO_SPEED = 600;

let template: Promise<DemoTemplate> | null = null;

/**
 * The whole demo, installed once per benchmark process through `installSubjects` (the same call
 * as `npm start -- --demo`), plus `stage` activities for mixed.ts's direct check-ins.
 */
export function demoTemplate(stage = 4): Promise<DemoTemplate> {
  template ??= (async () => {
    const server = await startServer({ env: { BATCH_MS: '100' }, historyDays: 30 });
    const t0 = clock();
    const seeded = await installSubjects(server.app, Date.now());
    const installSeconds = round((clock() - t0) / 1000, 1);
    const staged = await stageParticipations(server.app, Date.now(), stage);
    await server.stop();
    process.once('exit', () => fs.rmSync(server.dataDir, { recursive: true, force: true }));
    return { dir: server.dataDir, installSeconds, seeded, staged };
  })();
  return template;
}

let yearTemplate: Promise<string> | null = null;

/** The demo template with `months` of subject history (addHistory), once per benchmark process. */
export function demoYearTemplate(months = 12): Promise<string> {
  yearTemplate ??= demoTemplate().then((t) => {
    const dir = copyDataDir(t.dir);
    const db = openDatabase(dataFile(dir));
    addHistory(db, months);
    db.close();
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    return dir;
  });
  return yearTemplate;
}

/** A copy of a data folder (the server that wrote it has closed it), for one measurement. */
export function copyDataDir(dir: string): string {
  const to = tempDataDir();
  for (const f of fs.readdirSync(dir)) fs.cpSync(path.join(dir, f), path.join(to, f), { recursive: true });
  return to;
}

/**
 * Yesterday's activities, entered the evening before they took place with every active
 * volunteer signed up, and nobody checked in yet: mixed.ts checks them in and out at run time
 * as a coordinator entering the paper sign-in sheets (补录, check-in and check-out instants
 * back-dated inside each activity, which the API allows). They start more than 25 hours ago, so
 * the volunteer simulator, which tends the activities of the last day, never touches them.
 */
async function stageParticipations(app: Cerebellum, now: number, activities: number): Promise<StagedParticipation[]> {
  const at = now - 40 * HOUR_MS;
  const svc = new VolunteerService({ ...app.subjectDeps, now: () => at, pointsPerHour: app.config.POINTS_PER_HOUR });
  const p: Principal = { id: 'bench:volunteers', role: 'coordinator', communityId: DEMO_COMMUNITY.id };
  const volunteers = svc.registry.list(p, { status: 'active', limit: 500 }).items;
  const out: StagedParticipation[] = [];
  for (let k = 0; k < activities; k++) {
    const t = ACTIVITY_TEMPLATES[k % ACTIVITY_TEMPLATES.length]!;
    const startsAt = now - (28 + k * 0.5) * HOUR_MS;
    const endsAt = startsAt + 3 * HOUR_MS;
    const a = await svc.activities.create(p, {
      title: t.title, description: t.description, organiser: '桂花社区志愿服务站', startsAt: new Date(startsAt).toISOString(),
      endsAt: new Date(endsAt).toISOString(), place: '社区党群服务中心', capacity: volunteers.length, skillsWanted: [], status: 'open',
    });
    await Promise.all(volunteers.map((v) => svc.signups.signUp(p, a.id, { volunteerId: v.id })));
    for (const v of volunteers) out.push({ activityId: a.id, volunteerId: v.id, startsAt, endsAt });
  }
  // Interleave the activities, so consecutive check-ins are not all on one sheet.
  return out.sort((x, y) => x.volunteerId - y.volunteerId || x.activityId - y.activityId);
}

// ---- eleven more months, by SQL ------------------------------------------------------------------

/**
 * Copy `table`'s original rows (`id < OFFSET`) `k` months back: every instant column (`at`,
 * `*_at`, and `hour` of the rollups) moved by `shift`, ids and references to copied rows moved
 * by `k × OFFSET`, unique codes suffixed, and people's names replaced by others (a year brings
 * residents and donors a month does not), as the services would have written them then.
 */
interface CopySpec {
  table: string;
  where?: string;
  refs?: string[];
  unique?: string[];
  names?: string[];
  /** Column expressions for copy `k` (instant columns are then shifted as well). */
  set?: Record<string, (k: number) => string>;
}

const OFFSET = 1_000_000;
const CLOSED_ACTIVITIES = `SELECT id FROM activities WHERE status = 'closed' AND id < ${OFFSET}`;
const COPIES: CopySpec[] = [
  { table: 'activities', where: `status = 'closed'` },
  { table: 'activity_signups', where: `status IN ('checked_out', 'no_show', 'cancelled') AND activity_id IN (${CLOSED_ACTIVITIES})`, refs: ['activity_id'] },
  {
    table: 'service_records',
    where: `signup_id IN (SELECT id FROM activity_signups WHERE status = 'checked_out' AND activity_id IN (${CLOSED_ACTIVITIES}))`,
    refs: ['activity_id', 'signup_id'], unique: ['certificate_no'],
  },
  { table: 'redemptions' },
  // Closed cases of the past (their sessions are among the services below).
  { table: 'cases', unique: ['code'], names: ['client_name'], set: { status: () => `'closed'`, closed_at: () => `COALESCE(closed_at, updated_at)` } },
  { table: 'services' },
  // A resident who gave and agreed to be named keeps the two names the same.
  {
    table: 'donations', unique: ['receipt_no'],
    set: {
      donor_name: (k) => `CASE WHEN donor_kind = 'person' THEN bench_name(${k}, id) ELSE donor_name END`,
      public_name: (k) => `CASE WHEN donor_kind = 'person' AND public_name = donor_name THEN bench_name(${k}, id) ELSE public_name END`,
    },
  },
  { table: 'disbursements' },
  { table: 'needs', where: `status IN ('met', 'rated', 'closed')`, unique: ['code'], names: ['resident_name'] },
];

const isInstant = (col: string) => col === 'at' || col.endsWith('_at');

/**
 * Add `months` − 1 earlier copies of the seeded month (each shifted a further 31 days back), so
 * that the service tables and the hourly rollups hold a year. The journal is not copied: its
 * retention (`JOURNAL_DAYS`, 30) would have pruned it. Returns the rows added per table.
 */
export function addHistory(db: Db, months: number): Record<string, number> {
  const pool = volunteerNames(seededRandom(99), 3_000);
  // A copy's person gets another plausible name, stable for (copy, row).
  db.function('bench_name', { deterministic: true }, (k: unknown, id: unknown) => {
    let h = (Number(k) * 2_654_435_761 + Number(id) * 40_503) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 2_246_822_507) >>> 0;
    return pool[h % pool.length]!;
  });
  const added: Record<string, number> = {};
  // The seeded month's rollups span less than 31 days, so the copies never overlap them.
  const firstHour = (db.prepare('SELECT MIN(hour) AS h FROM metrics_hourly').get() as { h: number }).h;
  db.transaction(() => {
    for (let k = 1; k < months; k++) {
      const shift = k * 31 * DAY_MS;
      const off = k * OFFSET;
      for (const spec of COPIES) {
        const cols = (db.prepare(`PRAGMA table_info(${spec.table})`).all() as { name: string }[]).map((c) => c.name);
        const expr = (col: string): string => {
          const set = spec.set?.[col];
          if (set) return isInstant(col) ? `(${set(k)}) - ${shift}` : set(k);
          if (col === 'id' || spec.refs?.includes(col)) return `${col} + ${off}`;
          if (spec.names?.includes(col)) return `CASE WHEN ${col} IS NULL THEN NULL ELSE bench_name(${k}, id) END`;
          if (spec.unique?.includes(col)) return `${col} || '-Y${k}'`;
          if (isInstant(col)) return `${col} - ${shift}`;
          return col;
        };
        const sql = `INSERT INTO ${spec.table} (${cols.join(', ')}) SELECT ${cols.map(expr).join(', ')} FROM ${spec.table}
                      WHERE id < ${OFFSET}${spec.where ? ` AND ${spec.where}` : ''}`;
        added[spec.table] = (added[spec.table] ?? 0) + db.prepare(sql).run().changes;
      }
      const cols = METRIC_COLUMNS.join(', ');
      const m = db.prepare(
        `INSERT INTO metrics_hourly (community_id, hour, subject, grid_id, ${cols})
         SELECT community_id, hour - ${shift}, subject, grid_id, ${cols} FROM metrics_hourly WHERE hour >= ?`,
      ).run(firstHour);
      added.metrics_hourly = (added.metrics_hourly ?? 0) + m.changes;
    }
  })();
  return added;
}

// ---- measurements ------------------------------------------------------------------------------

const ms = (values: number[]) => {
  const s = summarize(values);
  return { n: s.n, p50: round(s.p50, 2), p99: round(s.p99, 2), max: round(s.max, 2), mean: round(s.mean, 2) };
};

/** Time `f` `repeats` times after a warm-up (wall clock: what the event loop waits for it). */
function timeCalls(repeats: number, warmup: number, f: () => void) {
  const wall: number[] = [];
  for (let i = 0; i < repeats + warmup; i++) {
    const a = performance.now();
    f();
    if (i >= warmup) wall.push(performance.now() - a);
  }
  return ms(wall);
}

/** One recompute: invalidate, then views(). */
function timeRecompute(app: Cerebellum, communityId: string, repeats: number) {
  const kpis = app.model.views(communityId, Date.now()).kpis;
  return timeCalls(repeats, 20, () => {
    app.subjects.invalidate();
    app.subjects.views(communityId, Date.now(), kpis);
  });
}

/**
 * Where one recompute goes: each subject's stats function and the rollup sums, built with the
 * context `SubjectStats` builds (same windows), and the name masker (same people).
 */
function breakdown(app: Cerebellum, communityId: string, repeats: number) {
  const { db, metrics, directory } = app;
  const tz = directory.timeZoneOf(communityId);
  const parts: Record<string, number[]> = {};
  const time = (name: string, f: () => unknown) => {
    const a = performance.now();
    f();
    (parts[name] ??= []).push(performance.now() - a);
  };
  let names = 0;
  const queries = keptStatements(db); // as SubjectStats keeps them
  for (let i = 0; i < repeats; i++) {
    const now = Date.now();
    const today = startOfLocalDay(now, tz);
    const days: number[] = [];
    for (let d = today, j = 0; j < 30; j++, d = startOfLocalDay(d - 12 * 3_600_000, tz)) days.unshift(d);
    const ctx: StatsContext = {
      db: queries, metrics, communityId, timeZone: tz, now, today,
      monthStart: monthRange(monthOf(now, tz), tz).start, windowStart: now - 30 * DAY_MS, days,
      iso: (t) => isoInZone(t, tz),
      day: (t) => {
        const w = wallTime(t, tz);
        return `${w.year}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
      },
    };
    time('volunteers', () => volunteerStats(ctx));
    time('orgs', () => orgStats(ctx));
    time('socialWork', () => socialWorkStats(ctx));
    time('charity', () => charityStats(ctx));
    time('needs', () => needStats(ctx));
    time('linkage', () => linkageFlow(ctx));
    time('care', () => populationCare(ctx));
    time('rollups', () => metrics.bySubjectAndGrid(communityId, ctx.windowStart, now + 1));
    // Every name the community knows (known_names), read from the start into a fresh masker,
    // and the masker used once on a line: what a new server pays once, at its first batch.
    let known = new KnownNames(db);
    time('peopleQuery', () => (known = new KnownNames(db)).refresh());
    names = known.masker(communityId).size;
    time('masker', () => known.masker(communityId).apply('桂花社区志愿者王丽萍到场'));
  }
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(parts)) out[k] = ms(v.slice(Math.min(5, v.length - 1))).p50;
  return { p50Ms: out, people: names };
}

/** SubjectStats.apply with one change carrying the latest feed line of the journal, `repeats` times. */
function timeApply(app: Cerebellum, communityId: string, repeats: number) {
  const row = app.db.prepare(
    `SELECT seq, at, data FROM journal WHERE community_id = ? AND entity IS NOT NULL AND data LIKE '%"feed":%' ORDER BY seq DESC LIMIT 1`,
  ).get(communityId) as { seq: number; at: number; data: string };
  const feed = (JSON.parse(row.data) as { feed: SubjectChange['feed'] }).feed;
  const tz = app.directory.timeZoneOf(communityId);
  const ctx = () => ({ timeZone: tz, workerName: app.directory.workerName });
  return timeCalls(repeats, 10, () => {
    const change: SubjectChange = { kind: 'subject', seq: row.seq, at: Date.now(), communityId, subject: feed!.subject, type: 'bench', entity: 'bench', entityId: row.seq, refs: {}, feed };
    app.subjects.apply([change], ctx);
  });
}

/** Every leaf path whose value differs between two views (at most `limit`). */
function differences(a: unknown, b: unknown, at = '', out: string[] = [], limit = 12): string[] {
  if (out.length >= limit) return out;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) differences((a as any)[k], (b as any)[k], at ? `${at}.${k}` : k, out, limit);
  } else if (a !== b) out.push(at.replace(/\.(\d+)/g, '[$1]'));
  return out;
}

function measure(app: Cerebellum, communityId: string, repeats: number) {
  const recompute = timeRecompute(app, communityId, repeats);
  const parts = breakdown(app, communityId, Math.max(20, Math.round(repeats / 5)));
  // What the parts leave: masking every string of the views, the glance, the grids, assembling.
  parts.p50Ms.rest = round(recompute.p50 - Object.values(parts.p50Ms).reduce((a, b) => a + b, 0), 2);
  const apply = timeApply(app, communityId, repeats);
  app.subjects.invalidate();
  const views = app.model.views(communityId, Date.now());
  return {
    recomputeMs: recompute,
    partsP50Ms: parts.p50Ms,
    people: parts.people,
    applyMs: apply,
    subjectViewsBytes: Buffer.byteLength(JSON.stringify(views.subjects)),
    viewsBytes: Buffer.byteLength(JSON.stringify(views)),
    views: views.subjects,
  };
}

export interface SubjectsOptions {
  repeats: number;
  /** Months of subject history in the second measurement. */
  months: number;
}

export async function benchSubjects(o: SubjectsOptions) {
  const t = await demoTemplate();
  console.log(`  demo installed through the services in ${t.installSeconds} s: ${JSON.stringify(t.seeded)}`);
  let server: TestServer | null = null;
  try {
    server = await startServer({ env: { BATCH_MS: '100' }, dataDir: copyDataDir(t.dir) });
    const app = server.app;
    const communityId = app.directory.defaultCommunity()!.id;
    const count = (table: string) => (app.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    const tables = ['service_records', 'services', 'donations', 'needs', 'metrics_hourly'];
    const rowsMonth = Object.fromEntries(tables.map((x) => [x, count(x)]));

    const month = measure(app, communityId, o.repeats);
    console.log(`  a month: recompute p50 ${month.recomputeMs.p50} ms, p99 ${month.recomputeMs.p99} ms; apply p50 ${month.applyMs.p50} ms, p99 ${month.applyMs.p99} ms; views.subjects ${month.subjectViewsBytes} B; ${month.people} people masked`);
    console.log(`    parts p50: ${Object.entries(month.partsP50Ms).map(([k, v]) => `${k} ${v}`).join(', ')} ms`);

    const a = clock();
    const added = addHistory(app.db, o.months);
    const addSeconds = round((clock() - a) / 1000, 1);
    const rowsYear = Object.fromEntries(tables.map((x) => [x, count(x)]));
    const year = measure(app, communityId, o.repeats);
    console.log(`  ${o.months} months (${JSON.stringify(rowsYear)}, added in ${addSeconds} s): recompute p50 ${year.recomputeMs.p50} ms, p99 ${year.recomputeMs.p99} ms; apply p50 ${year.applyMs.p50} ms, p99 ${year.applyMs.p99} ms; ${year.people} people masked`);
    console.log(`    parts p50: ${Object.entries(year.partsP50Ms).map(([k, v]) => `${k} ${v}`).join(', ')} ms`);
    const changed = differences(month.views, year.views).filter((p) => !p.startsWith('feed'));
    console.log(`    views that differ with the longer history: ${changed.join(', ') || 'none'}`);
    const strip = ({ views: _v, ...rest }: ReturnType<typeof measure>) => rest;
    return {
      install: { seconds: t.installSeconds, seeded: t.seeded },
      month: { rows: rowsMonth, ...strip(month) },
      year: { months: o.months, rows: rowsYear, added, addSeconds, ...strip(year), viewsThatDiffer: changed },
    };
  } finally {
    if (server) {
      await server.stop();
      fs.rmSync(server.dataDir, { recursive: true, force: true });
    }
  }
}
