/**
 * The resource list (资源清单): what organizations, volunteers, teams, social workers, donors and
 * the community offer, each with its category, skills, grid, availability and places (how many
 * needs it can serve at once). A resource is proposed for needs by matching (`matches.ts`).
 */
import { pageOf, type Page } from '../db/page.ts';
import type { WriteQueue } from '../db/write-queue.ts';
import type { Directory } from '../kernel/community.ts';
import { feedText, type SubjectChange } from '../kernel/journal.ts';
import { DomainError } from '../errors.ts';
import { authorise, requireGrid } from '../kernel/rules.ts';
import type { Principal } from '../principal.ts';
import { serviceCategoryZh } from '../../shared/subjects.ts';
import { SUBJECT_OF_PROVIDER, type CreateResourceBody, type ListResourcesQuery, type ResourceStatusBody } from '../../shared/needs.ts';
import { RESOURCES, STAFF } from './access.ts';
import { publicProvider } from './feed-lines.ts';
import { resourceFromRow, type ResourceRecord } from './record.ts';
import type { NeedParts, NeedStore } from './store.ts';

/** Resources: add, pause, resume or withdraw; find and list them. */
export class ResourceService {
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

  /** Add a resource (available). A provider with a record must exist in this community and be active. */
  async create(p: Principal, body: CreateResourceBody): Promise<ResourceRecord> {
    authorise(p, RESOURCES, 'add resources');
    if (body.gridId !== undefined) requireGrid(this.#dir, p, body.gridId, 'gridId');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const providerName = body.providerId !== undefined ? this.#store.provider(p, body.providerKind, body.providerId) : body.providerName!;
      const id = Number(this.#store.stmt.insertResource.run(
        p.communityId, body.providerKind, body.providerId ?? null, providerName, body.title, body.description, body.category,
        JSON.stringify(body.skills), body.gridId ?? null, body.availability ? JSON.stringify(body.availability) : null,
        body.capacity, now, now,
      ).lastInsertRowid);
      const subject = SUBJECT_OF_PROVIDER[body.providerKind];
      this.#store.entry(ctx, p, now, subject, 'resource.created', 'resource', id,
        { providerKind: body.providerKind, providerId: body.providerId ?? null, category: body.category, capacity: body.capacity }, null,
        { subject, key: 'feed.resource.added',
          params: { provider: publicProvider(body.providerKind, providerName), title: feedText(body.title, [providerName]), category: serviceCategoryZh(body.category), categoryCode: body.category },
          gridId: body.gridId ?? null });
      return resourceFromRow(this.#store.stmt.resource.get(id));
    });
  }

  /** Pause, resume or withdraw a resource; needs it already serves keep it. Setting its status again changes nothing. */
  async setStatus(p: Principal, resourceId: number, body: ResourceStatusBody): Promise<ResourceRecord> {
    authorise(p, RESOURCES, 'change resources');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const r = this.#store.resource(p, resourceId);
      if (r.status === body.status) return r;
      if (r.status === 'withdrawn') {
        throw new DomainError(409, 'error.transition_not_allowed', `resource ${r.id} is withdrawn`, undefined, { status: r.status, allowed: [] });
      }
      this.#store.stmt.resourceStatus.run(body.status, now, r.id);
      this.#store.entry(ctx, p, now, SUBJECT_OF_PROVIDER[r.providerKind], 'resource.status_changed', 'resource', r.id,
        { status: body.status, note: body.note ?? null }, r.status);
      return { ...r, status: body.status, updatedAt: now };
    });
  }

  /** A resource of the principal's community; a 404 for one of another. */
  get(p: Principal, id: number): ResourceRecord {
    return this.#store.resource(p, id);
  }

  /** Newest first. */
  list(p: Principal, q: ListResourcesQuery): Page<ResourceRecord> {
    authorise(p, STAFF, 'see resources');
    const where = ['community_id = @community'];
    const params: Record<string, unknown> = { community: p.communityId, limit: q.limit + 1 };
    if (q.status) (where.push('status = @status'), (params.status = q.status));
    if (q.category) (where.push('category = @category'), (params.category = q.category));
    if (q.provider) (where.push('provider_kind = @provider'), (params.provider = q.provider));
    if (q.grid) (where.push('grid_id = @grid'), (params.grid = q.grid));
    if (q.cursor) (where.push('id < @cursor'), (params.cursor = Number(q.cursor)));
    const rows = this.#store.db.prepare(`SELECT * FROM resources WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT @limit`).all(params);
    return pageOf(rows.map(resourceFromRow), q.limit);
  }
}
