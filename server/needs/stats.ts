/**
 * The wall's figures for needs, and the linkage flow from needs through subjects to outcomes.
 * Straight from the needs table over bounded windows (today, the last 30 days), on its
 * (community, raised_at), (community, met_at), (community, status) and due indexes: a few
 * hundred rows a month at community scale, well under a millisecond.
 */
import type { StatsContext } from '../kernel/stats-context.ts';
import {
  POPULATIONS, SERVICE_CATEGORIES, SUBJECTS, type LinkageFlow, type NeedViews, type PopulationCare, type ServiceCategory,
} from '../../shared/subjects.ts';
import { guardCount } from '../../shared/disclosure.ts';
import { LINKAGE_OUTCOMES, type LinkageOutcome, type NeedStatus } from '../../shared/needs.ts';

const OPEN = "('raised', 'matched', 'in_progress')";

export function needStats(ctx: StatsContext): NeedViews {
  const { db, communityId: c, now } = ctx;
  const one = (sql: string, ...args: unknown[]) => (db.prepare(sql).get(c, ...args) as { n: number | null }).n ?? 0;

  const raisedToday = one('SELECT COUNT(*) AS n FROM needs WHERE community_id = ? AND raised_at >= ? AND raised_at <= ?', ctx.today, now);
  const metToday = one('SELECT COUNT(*) AS n FROM needs WHERE community_id = ? AND met_at >= ? AND met_at <= ?', ctx.today, now);
  const open = one(`SELECT COUNT(*) AS n FROM needs WHERE community_id = ? AND status IN ${OPEN}`);
  const overdue = one(`SELECT COUNT(*) AS n FROM needs WHERE community_id = ? AND status IN ${OPEN} AND due_at < ?`, now);
  const response = db
    .prepare('SELECT COUNT(*) AS n, AVG(met_at - raised_at) AS avg FROM needs WHERE community_id = ? AND met_at >= ? AND met_at <= ?')
    .get(c, ctx.windowStart, now) as { n: number; avg: number | null };
  const avgResponseHours = response.n && response.avg !== null ? Math.round((response.avg / 3_600_000) * 10) / 10 : null;

  // Per local day: bucket the instants of the last 30 days by the local midnights.
  const daily = ctx.days.map((d) => ({ day: ctx.day(d), raised: 0, met: 0 }));
  const bucket = (ms: number) => {
    let i = ctx.days.length - 1;
    while (i >= 0 && ms < ctx.days[i]!) i--;
    return i;
  };
  const from = ctx.days[0]!;
  for (const r of db.prepare('SELECT raised_at AS t FROM needs WHERE community_id = ? AND raised_at >= ? AND raised_at <= ?').all(c, from, now) as { t: number }[]) {
    const i = bucket(r.t);
    if (i >= 0) daily[i]!.raised++;
  }
  for (const r of db.prepare('SELECT met_at AS t FROM needs WHERE community_id = ? AND met_at >= ? AND met_at <= ?').all(c, from, now) as { t: number }[]) {
    const i = bucket(r.t);
    if (i >= 0) daily[i]!.met++;
  }

  const byCategory = SERVICE_CATEGORIES.map((cat) => ({ code: cat.code as ServiceCategory, open: 0, met: 0 }));
  const index = new Map(byCategory.map((b, i) => [b.code as string, i]));
  for (const r of db.prepare(`SELECT category, COUNT(*) AS n FROM needs WHERE community_id = ? AND status IN ${OPEN} GROUP BY category`).all(c) as { category: string; n: number }[]) {
    const i = index.get(r.category);
    if (i !== undefined) byCategory[i]!.open = r.n;
  }
  for (const r of db.prepare('SELECT category, COUNT(*) AS n FROM needs WHERE community_id = ? AND met_at >= ? AND met_at <= ? GROUP BY category').all(c, ctx.windowStart, now) as { category: string; n: number }[]) {
    const i = index.get(r.category);
    if (i !== undefined) byCategory[i]!.met = r.n;
  }

  return { raisedToday, metToday, open, overdue, avgResponseHours, daily, byCategory };
}

/** Where a need stands now, as the flow's last column shows it. */
export function outcomeOf(status: NeedStatus): LinkageOutcome {
  switch (status) {
    case 'met':
    case 'rated':
      return 'met';
    case 'matched':
    case 'in_progress':
      return 'in_progress';
    case 'closed':
      return 'unmet';
    case 'raised':
      return 'waiting';
  }
}

/**
 * The linkage flow (Sankey) of the needs raised in the last 30 days: `need:<category>` →
 * `subject:<who took it on>` → `outcome:<met|in_progress|unmet>`; a need nobody took on goes
 * from its category straight to `outcome:waiting` (still open) or `outcome:unmet` (closed).
 * Values are counts of needs; only links that carry some are listed, and only their nodes, in
 * a fixed order (categories, subjects, outcomes), so the graph is layered and acyclic.
 */
export function linkageFlow(ctx: StatsContext): LinkageFlow {
  const rows = ctx.db
    .prepare(
      `SELECT category, met_by, status, COUNT(*) AS n FROM needs
        WHERE community_id = ? AND raised_at >= ? AND raised_at <= ?
        GROUP BY category, met_by, status`,
    )
    .all(ctx.communityId, ctx.windowStart, ctx.now) as { category: string; met_by: string | null; status: NeedStatus; n: number }[];

  const links = new Map<string, number>();
  const add = (source: string, target: string, n: number) => {
    const k = `${source}\u0000${target}`;
    links.set(k, (links.get(k) ?? 0) + n);
  };
  for (const r of rows) {
    const need = `need:${r.category}`;
    const outcome = `outcome:${outcomeOf(r.status)}`;
    if (r.met_by) {
      add(need, `subject:${r.met_by}`, r.n);
      add(`subject:${r.met_by}`, outcome, r.n);
    } else {
      add(need, outcome, r.n);
    }
  }

  const order = [
    ...SERVICE_CATEGORIES.map((c) => `need:${c.code}`),
    ...SUBJECTS.map((s) => `subject:${s}`),
    ...LINKAGE_OUTCOMES.map((o) => `outcome:${o}`),
  ];
  const used = new Set<string>();
  const out: LinkageFlow['links'] = [];
  for (const [k, value] of links) {
    if (value <= 0) continue;
    const [source, target] = k.split('\u0000') as [string, string];
    used.add(source).add(target);
    out.push({ source, target, value });
  }
  const rank = (id: string) => {
    const i = order.indexOf(id);
    return i < 0 ? order.length : i;
  };
  out.sort((a, b) => rank(a.source) - rank(b.source) || rank(a.target) - rank(b.target));
  const nodes = [...used].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)).map((id) => ({ id }));
  return { nodes, links: out };
}

/**
 * Care per key population: services that reached it and needs raised for it in the last 30
 * days, needs open now; small counts withheld (shared/disclosure.ts). A record tagged with two
 * populations counts once for each.
 */
export function populationCare(ctx: StatsContext): PopulationCare[] {
  const { db, communityId: c, windowStart, now } = ctx;
  const counts = (sql: string, ...args: unknown[]) =>
    new Map((db.prepare(sql).all(c, ...args) as { code: string; n: number }[]).map((r) => [r.code, r.n]));
  const services = counts(
    `SELECT j.value AS code, COUNT(*) AS n FROM services s, json_each(s.populations) j
      WHERE s.community_id = ? AND s.ended_at >= ? AND s.ended_at <= ? GROUP BY j.value`, windowStart, now);
  const raised = counts(
    `SELECT j.value AS code, COUNT(*) AS n FROM needs n, json_each(n.populations) j
      WHERE n.community_id = ? AND n.raised_at >= ? AND n.raised_at <= ? GROUP BY j.value`, windowStart, now);
  const open = counts(
    `SELECT j.value AS code, COUNT(*) AS n FROM needs n, json_each(n.populations) j
      WHERE n.community_id = ? AND n.status IN ${OPEN} GROUP BY j.value`);
  return POPULATIONS.map(({ code }) => ({
    code,
    services: guardCount(services.get(code) ?? 0),
    needsRaised: guardCount(raised.get(code) ?? 0),
    needsOpen: guardCount(open.get(code) ?? 0),
  }));
}
