/** The wall's figures for needs, and the linkage flow from needs through subjects to outcomes. */
import type { StatsContext } from '../subjects/context.ts';
import { SERVICE_CATEGORIES, type LinkageFlow, type NeedViews } from '../../shared/subjects.ts';

export function needStats(ctx: StatsContext): NeedViews {
  return {
    raisedToday: 0, metToday: 0, open: 0, overdue: 0, avgResponseHours: null,
    daily: ctx.days.map((d) => ({ day: ctx.day(d), raised: 0, met: 0 })),
    byCategory: SERVICE_CATEGORIES.map((c) => ({ code: c.code, open: 0, met: 0 })),
  };
}

export function linkageFlow(_ctx: StatsContext): LinkageFlow {
  return { nodes: [], links: [] };
}
