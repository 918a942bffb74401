/**
 * Matching (供需对接): resources proposed for a need (scored by the pure `matching.ts`), and a
 * coordinator's decision on each. Accepting one is the step that links the lists: the resource
 * gives the need one of its places, the need is matched and credited to the provider's subject,
 * and a project (an organization's, or a social worker's for a need of many people) or a task
 * for the provider is made, all in one write. The queue runs writes one at a time, so a check
 * made inside a write holds when it commits: two coordinators accepting matches on the last
 * free place of a resource cannot both succeed.
 */
import type { WriteQueue } from '../db/write-queue.ts';
import { outerRings, type Directory } from '../kernel/community.ts';
import type { SubjectChange } from '../kernel/journal.ts';
import { DomainError } from '../errors.ts';
import { authorise } from '../kernel/rules.ts';
import type { Principal } from '../principal.ts';
import { localDay, wallTime } from '../../shared/time.ts';
import {
  PROJECT_BENEFICIARIES, RELATED_CATEGORIES, SUBJECT_OF_PROVIDER,
  type AcceptMatchBody, type DeclineMatchBody, type ProposeBody,
} from '../../shared/needs.ts';
import { COORDINATE } from './access.ts';
import { needLine, publicProvider, subjectLabel } from './feed-lines.ts';
import { gridNeighbours, proposeMatches } from './matching.ts';
import { matchFromRow, resourceFromRow, taskFromRow, type MatchRecord, type NeedRecord, type TaskRecord } from './record.ts';
import { requireAction, type NeedParts, type NeedStore } from './store.ts';

export interface AcceptResult {
  need: NeedRecord;
  match: MatchRecord;
  task: TaskRecord | null;
  project: { id: number; code: string } | null;
}

/** Matches: a need's, proposed, accepted or declined. */
export class MatchService {
  #store: NeedStore;
  #queue: WriteQueue<SubjectChange>;
  #dir: Directory;
  #now: () => number;

  constructor(parts: NeedParts) {
    this.#store = parts.store;
    this.#queue = parts.queue;
    this.#dir = parts.directory;
    this.#now = parts.now;
  }

  /** The need's matches: the accepted one first, then proposals best first, then those declined. */
  list(p: Principal, needId: number): MatchRecord[] {
    const n = this.#store.need(p, needId);
    return this.#store.stmt.matchesOf.all(n.id).map(matchFromRow);
  }

  /**
   * Propose resources for a raised need (see matching.ts), best first: the proposals are stored
   * (status proposed), replacing earlier proposals that are no longer candidates; resources
   * declined for this need are not proposed again. An empty list means nothing fits now.
   */
  async propose(p: Principal, needId: number, body: ProposeBody): Promise<MatchRecord[]> {
    authorise(p, COORDINATE, 'match needs');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const { stmt } = this.#store;
      const n = this.#store.need(p, needId);
      requireAction(n, 'propose');
      const categories = [n.category, ...RELATED_CATEGORIES[n.category]];
      const resources = stmt.candidates.all(p.communityId, JSON.stringify(categories), n.id).map(resourceFromRow);
      const proposals = proposeMatches(n, resources, {
        now, timeZone: this.#dir.timeZoneOf(p.communityId), neighbours: this.#neighbours(p.communityId), limit: body.limit,
      });
      stmt.staleMatches.run(n.id, JSON.stringify(proposals.map((x) => x.resourceId)));
      for (const x of proposals) stmt.upsertMatch.run(n.id, x.resourceId, x.score, JSON.stringify(x.reasons), now);
      this.#store.entry(ctx, p, now, 'community', 'need.matches_proposed', 'need', n.id,
        { proposals: proposals.map((x) => ({ resourceId: x.resourceId, score: x.score })) }, n.status);
      return stmt.matchesOf.all(n.id).map(matchFromRow).filter((m) => m.status === 'proposed');
    });
  }

  /**
   * Accept a proposed match: the resource takes the need (one of its places, refused with 409
   * `error.resource_full` when none is free), the need becomes matched and is credited to the
   * provider's subject, and a project (an organization's; a social worker's for a need of
   * PROJECT_BENEFICIARIES or more people) or a task for the provider is created. The need's
   * other proposals are declined.
   */
  async accept(p: Principal, needId: number, matchId: number, body: AcceptMatchBody): Promise<AcceptResult> {
    authorise(p, COORDINATE, 'accept matches');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const { stmt, projects } = this.#store;
      const n = this.#store.need(p, needId);
      this.#store.requireVersion(n, body.expectedVersion, this.#dir.timeZoneOf(p.communityId));
      requireAction(n, 'accept');
      const m = this.#store.matchOf(n, matchId);
      if (m.status !== 'proposed') {
        throw new DomainError(409, 'error.match_not_proposed', `match ${m.id} is ${m.status}`, undefined, { status: m.status });
      }
      const r = resourceFromRow(stmt.resource.get(m.resourceId));
      if (r.status !== 'available') {
        throw new DomainError(409, 'error.resource_unavailable', `resource ${r.id} is ${r.status}`, undefined, { status: r.status });
      }
      if (stmt.takePlace.run(now, r.id).changes !== 1) {
        throw new DomainError(409, 'error.resource_full', `resource ${r.id} serves ${r.inUse} of ${r.capacity} needs already`,
          undefined, { inUse: r.inUse, capacity: r.capacity });
      }
      const subject = SUBJECT_OF_PROVIDER[r.providerKind];
      const asProject = r.providerKind === 'org' || (r.providerKind === 'social_worker' && n.beneficiaries >= PROJECT_BENEFICIARIES);
      let project: AcceptResult['project'] = null;
      let taskId: number | null = null;
      if (asProject) {
        const tz = this.#dir.timeZoneOf(p.communityId);
        const year = wallTime(now, tz).year;
        const orgId = r.providerKind === 'org' ? r.providerId : null;
        const socialWorkerId = r.providerKind === 'social_worker' ? r.providerId : null;
        projects.checkLeads(orgId, socialWorkerId);
        const code = projects.nextCode(year);
        const id = projects.insert({
          communityId: p.communityId, code, name: n.title, description: n.description, category: n.category,
          orgId, socialWorkerId, funding: body.funding, budgetCents: body.budgetCents, spentCents: 0,
          startsOn: localDay(now, tz), endsOn: localDay(Math.max(now, n.dueAt), tz), targetServices: null,
          targetBeneficiaries: n.beneficiaries, needId: n.id, gridId: n.gridId, status: 'active', createdBy: p.id, createdAt: now, updatedAt: now,
        });
        project = { id, code };
        this.#store.entry(ctx, p, now, 'org', 'project.created', 'project', id,
          { code, needId: n.id, orgId: r.providerKind === 'org' ? r.providerId : null, funding: body.funding, budgetCents: body.budgetCents });
      } else {
        taskId = Number(stmt.insertTask.run(p.communityId, n.id, r.id, r.providerKind, r.providerId, n.title, n.dueAt, now,
          body.note ?? null).lastInsertRowid);
      }
      stmt.decide.run('accepted', project?.id ?? null, taskId, now, p.id, body.note ?? null, m.id);
      stmt.supersede.run(now, p.id, n.id, m.id);
      stmt.matched.run(subject, r.id, now, now, n.id);
      this.#store.entry(ctx, p, now, subject, 'need.matched', 'need', n.id,
        { matchId: m.id, resourceId: r.id, metBy: subject, projectId: project?.id ?? null, taskId }, n.status,
        needLine(n, subject, 'feed.need.matched',
          { provider: publicProvider(r.providerKind, r.providerName), subject: subjectLabel(subject), subjectCode: subject }));
      return {
        need: this.#store.needRow(n.id),
        match: matchFromRow(stmt.match.get(m.id)),
        task: taskId === null ? null : taskFromRow(stmt.task.get(taskId)),
        project,
      };
    });
  }

  /** Decline a proposed match: that resource is not proposed for this need again. */
  async decline(p: Principal, needId: number, matchId: number, body: DeclineMatchBody): Promise<MatchRecord> {
    authorise(p, COORDINATE, 'decline matches');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const n = this.#store.need(p, needId);
      this.#store.requireVersion(n, body.expectedVersion, this.#dir.timeZoneOf(p.communityId));
      requireAction(n, 'decline');
      const m = this.#store.matchOf(n, matchId);
      if (m.status !== 'proposed') {
        throw new DomainError(409, 'error.match_not_proposed', `match ${m.id} is ${m.status}`, undefined, { status: m.status });
      }
      this.#store.stmt.decide.run('declined', null, null, now, p.id, body.note ?? null, m.id);
      this.#store.entry(ctx, p, now, 'community', 'need.match_declined', 'match', m.id, { needId: n.id, resourceId: m.resourceId, note: body.note ?? null });
      return matchFromRow(this.#store.stmt.match.get(m.id));
    });
  }

  /** The community's grids and which touch which, for the matching's nearness. */
  #neighbours(communityId: string) {
    return gridNeighbours(this.#dir.gridsOf(communityId).map((g) => ({ id: g.id, ring: outerRings(g.geometry).flat() })));
  }
}
