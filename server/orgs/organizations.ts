/**
 * The registry of organizations (社会组织): register, change the contact or the categories
 * served, suspend, reactivate or deregister, read. Each write is one write of the group-commit
 * queue with its journal row (and feed line), as in every subject service.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Page } from '../db/page.ts';
import type { WriteQueue } from '../db/write-queue.ts';
import type { SubjectServiceDeps } from '../kernel/deps.ts';
import { feedText, type SubjectChange } from '../kernel/journal.ts';
import { DomainError } from '../errors.ts';
import { authorise, ownRow } from '../kernel/rules.ts';
import type { Principal } from '../principal.ts';
import { ORG_TRANSITIONS, type ListOrgsQuery, type OrgStatusBody, type RegisterOrgBody, type UpdateOrgBody } from '../../shared/orgs.ts';
import { MANAGE, STAFF } from './access.ts';
import { orgFromRow, type OrgRecord } from './record.ts';
import { allowed, type OrgStore } from './store.ts';

/** Organizations: `orgs.organizations.register(...)`, `.update`, `.setStatus`, `.get`, `.list`. */
export class OrganizationService {
  #store: OrgStore;
  #queue: WriteQueue<SubjectChange>;
  #now: () => number;
  #tz: (p: Principal) => string;

  constructor(deps: SubjectServiceDeps, store: OrgStore) {
    this.#store = store;
    this.#queue = deps.queue;
    this.#now = deps.now;
    this.#tz = (p) => deps.directory.timeZoneOf(p.communityId);
  }

  /** Register an organization (active). Its name and its registration number are unique in the community. */
  async register(p: Principal, body: RegisterOrgBody): Promise<OrgRecord> {
    authorise(p, MANAGE, 'register organizations');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const { stmt } = this.#store;
      const dup = (stmt.orgByName.get(p.communityId, body.name)
        ?? (body.registrationNo ? stmt.orgByRegistration.get(p.communityId, body.registrationNo) : undefined)) as { id: number } | undefined;
      if (dup) {
        throw new DomainError(409, 'error.org_exists', `an organization with this name or registration number is registered (${dup.id})`,
          undefined, { orgId: dup.id });
      }
      const id = Number(stmt.insertOrg.run(p.communityId, body.name, body.kind, body.registrationNo ?? null, body.contactName,
        body.contactPhone, JSON.stringify(body.categories), now, now).lastInsertRowid);
      this.#store.write(ctx, p, now, 'org', 'org.registered', 'organization', id, { kind: body.kind, categories: body.categories }, null,
        { subject: 'org', key: 'feed.org.registered', params: { name: feedText(body.name, [body.contactName]) }, gridId: null });
      return this.#store.orgRow(id);
    });
  }

  /**
   * Change the contact or the categories served. A deregistered organization is kept as it was.
   * A change to what is there already writes nothing (no journal, no audit line, same updatedAt).
   */
  async update(p: Principal, orgId: number, body: UpdateOrgBody): Promise<OrgRecord> {
    authorise(p, MANAGE, 'change organizations');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const o = this.get(p, orgId);
      if (o.status === 'deregistered') {
        throw new DomainError(409, 'error.org_inactive', `organization ${o.id} is deregistered`, undefined, { status: o.status });
      }
      const next = {
        contactName: body.contactName ?? o.contactName,
        contactPhone: body.contactPhone ?? o.contactPhone,
        categories: body.categories ?? o.categories,
      };
      this.#store.sameVersion(`organization ${o.id}`, o, body.expectedUpdatedAt, this.#tz(p));
      if (isDeepStrictEqual(next, { contactName: o.contactName, contactPhone: o.contactPhone, categories: o.categories })) return o;
      this.#store.stmt.updateOrg.run(next.contactName, next.contactPhone, JSON.stringify(next.categories), now, p.id, o.id);
      this.#store.write(ctx, p, now, 'org', 'org.updated', 'organization', o.id, { fields: Object.keys(body).filter((k) => k !== 'expectedUpdatedAt') });
      return { ...o, ...next, updatedAt: now, updatedBy: p.id };
    });
  }

  /**
   * Suspend, reactivate or deregister (ORG_TRANSITIONS). Deregistering is refused while the
   * organization still has a project planned, running or paused. Setting the status it has
   * changes nothing.
   */
  async setStatus(p: Principal, orgId: number, body: OrgStatusBody): Promise<OrgRecord> {
    authorise(p, MANAGE, 'change organizations');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const o = this.get(p, orgId);
      if (o.status === body.status) return o;
      allowed(ORG_TRANSITIONS[o.status], o.status, body.status, 'an organization');
      if (body.status === 'deregistered') {
        const n = (this.#store.stmt.unfinishedProjectsOfOrg.get(o.id) as { n: number }).n;
        if (n > 0) {
          throw new DomainError(409, 'error.org_has_projects', `organization ${o.id} has ${n} unfinished project(s); complete or cancel them first`,
            undefined, { status: o.status, projects: n });
        }
      }
      this.#store.stmt.orgStatus.run(body.status, now, p.id, o.id);
      this.#store.write(ctx, p, now, 'org', 'org.status_changed', 'organization', o.id,
        { status: body.status, note: feedText(body.note ?? '', [o.contactName]) || null }, o.status);
      return { ...o, status: body.status, updatedAt: now };
    });
  }

  /** An organization of the principal's community; 404 otherwise. */
  get(p: Principal, id: number): OrgRecord {
    authorise(p, STAFF, 'see organizations');
    return orgFromRow(ownRow(p, this.#store.stmt.org.get(id), `organization ${id}`));
  }

  /** Newest first; the cursor is the id of the last organization of the previous page. */
  list(p: Principal, q: ListOrgsQuery): Page<OrgRecord> {
    authorise(p, STAFF, 'see organizations');
    const where = ['community_id = @community'];
    const params: Record<string, unknown> = { community: p.communityId, limit: q.limit + 1 };
    if (q.kind) (where.push('kind = @kind'), (params.kind = q.kind));
    if (q.status) (where.push('status = @status'), (params.status = q.status));
    if (q.category) (where.push('EXISTS (SELECT 1 FROM json_each(categories) WHERE value = @category)'), (params.category = q.category));
    return this.#store.page('organizations', where, params, q, orgFromRow);
  }
}
