/**
 * The three lists as the server holds them (epoch-ms instants), their row mapping, and their
 * projection for the staff API (ISO instants with the community's offset). Residents' names
 * and phones are in the staff view only; public surfaces get the wall's aggregates and masked
 * feed lines, never these records.
 */
import { isoInZone, isoOrNull } from '../../shared/time.ts';
import {
  allowedNeedActions, isOpenNeed,
  type Availability, type CloseReason, type MatchReason, type MatchStatus, type MatchView, type NeedStatus, type NeedUrgency,
  type NeedView, type ProviderKind, type RaisedByKind, type ResourceStatus, type ResourceView, type TaskStatus, type TaskView,
} from '../../shared/needs.ts';
import type { ServiceCategory, SubjectKind } from '../../shared/subjects.ts';

export interface NeedRecord {
  id: number;
  communityId: string;
  code: string;
  title: string;
  description: string;
  category: ServiceCategory;
  skills: string[];
  urgency: NeedUrgency;
  gridId: string | null;
  address: string | null;
  raisedByKind: RaisedByKind;
  raisedBy: string;
  residentName: string | null;
  residentPhone: string | null;
  populations: string[];
  beneficiaries: number;
  status: NeedStatus;
  metBy: SubjectKind | null;
  resourceId: number | null;
  closeReason: CloseReason | null;
  satisfaction: number | null;
  dueAt: number;
  raisedAt: number;
  matchedAt: number | null;
  startedAt: number | null;
  metAt: number | null;
  ratedAt: number | null;
  closedAt: number | null;
  updatedAt: number;
  version: number;
}

export interface ResourceRecord {
  id: number;
  communityId: string;
  providerKind: ProviderKind;
  providerId: number | null;
  providerName: string;
  title: string;
  description: string;
  category: ServiceCategory;
  skills: string[];
  gridId: string | null;
  availability: Availability | null;
  capacity: number;
  inUse: number;
  status: ResourceStatus;
  createdAt: number;
  updatedAt: number;
}

/** A match with the resource's name and title beside it. */
export interface MatchRecord {
  id: number;
  needId: number;
  resourceId: number;
  providerKind: ProviderKind;
  providerName: string;
  resourceTitle: string;
  resourceCategory: ServiceCategory;
  score: number;
  reasons: MatchReason[];
  status: MatchStatus;
  projectId: number | null;
  taskId: number | null;
  proposedAt: number;
  decidedAt: number | null;
  decidedBy: string | null;
  note: string | null;
}

export interface TaskRecord {
  id: number;
  communityId: string;
  needId: number;
  resourceId: number;
  assigneeKind: ProviderKind;
  assigneeId: number | null;
  title: string;
  status: TaskStatus;
  dueAt: number | null;
  createdAt: number;
  doneAt: number | null;
  note: string | null;
}

/** A row as better-sqlite3 returns it; its columns are those of schema/needs.ts. */
type Row = any;

export const needFromRow = (r: Row): NeedRecord => ({
  id: r.id, communityId: r.community_id, code: r.code, title: r.title, description: r.description, category: r.category,
  skills: JSON.parse(r.skills) as string[], urgency: r.urgency, gridId: r.grid_id, address: r.address,
  raisedByKind: r.raised_by_kind, raisedBy: r.raised_by, residentName: r.resident_name, residentPhone: r.resident_phone,
  populations: JSON.parse(r.populations) as string[], beneficiaries: r.beneficiaries, status: r.status, metBy: r.met_by,
  resourceId: r.resource_id, closeReason: r.close_reason, satisfaction: r.satisfaction, dueAt: r.due_at, raisedAt: r.raised_at,
  matchedAt: r.matched_at, startedAt: r.started_at, metAt: r.met_at, ratedAt: r.rated_at, closedAt: r.closed_at,
  updatedAt: r.updated_at, version: r.version,
});

export const resourceFromRow = (r: Row): ResourceRecord => ({
  id: r.id, communityId: r.community_id, providerKind: r.provider_kind, providerId: r.provider_id, providerName: r.provider_name,
  title: r.title, description: r.description, category: r.category, skills: JSON.parse(r.skills) as string[], gridId: r.grid_id,
  availability: r.availability ? (JSON.parse(r.availability) as Availability) : null, capacity: r.capacity, inUse: r.in_use,
  status: r.status, createdAt: r.created_at, updatedAt: r.updated_at,
});

/** A matches row joined with its resource (provider_kind, provider_name, resource_title, resource_category). */
export const matchFromRow = (r: Row): MatchRecord => ({
  id: r.id, needId: r.need_id, resourceId: r.resource_id, providerKind: r.provider_kind, providerName: r.provider_name,
  resourceTitle: r.resource_title, resourceCategory: r.resource_category, score: r.score,
  reasons: JSON.parse(r.reasons) as MatchReason[], status: r.status, projectId: r.project_id, taskId: r.task_id,
  proposedAt: r.proposed_at, decidedAt: r.decided_at, decidedBy: r.decided_by, note: r.note,
});

export const taskFromRow = (r: Row): TaskRecord => ({
  id: r.id, communityId: r.community_id, needId: r.need_id, resourceId: r.resource_id, assigneeKind: r.assignee_kind,
  assigneeId: r.assignee_id, title: r.title, status: r.status, dueAt: r.due_at, createdAt: r.created_at, doneAt: r.done_at,
  note: r.note,
});

// ---- the staff API's views -------------------------------------------------------------------

export const viewNeed = (n: NeedRecord, now: number, tz: string): NeedView => ({
  id: n.id, code: n.code, title: n.title, description: n.description, category: n.category, skills: n.skills,
  urgency: n.urgency, gridId: n.gridId, address: n.address, raisedByKind: n.raisedByKind, raisedBy: n.raisedBy,
  residentName: n.residentName, residentPhone: n.residentPhone, populations: n.populations, beneficiaries: n.beneficiaries,
  status: n.status, allowed: allowedNeedActions(n.status), metBy: n.metBy, resourceId: n.resourceId, closeReason: n.closeReason,
  satisfaction: n.satisfaction, dueAt: isoInZone(n.dueAt, tz), overdue: isOpenNeed(n.status) && now > n.dueAt,
  raisedAt: isoInZone(n.raisedAt, tz), matchedAt: isoOrNull(n.matchedAt, tz), startedAt: isoOrNull(n.startedAt, tz),
  metAt: isoOrNull(n.metAt, tz), ratedAt: isoOrNull(n.ratedAt, tz), closedAt: isoOrNull(n.closedAt, tz),
  updatedAt: isoInZone(n.updatedAt, tz), version: n.version,
});

export const viewResource = (r: ResourceRecord, tz: string): ResourceView => ({
  id: r.id, providerKind: r.providerKind, providerId: r.providerId, providerName: r.providerName, title: r.title,
  description: r.description, category: r.category, skills: r.skills, gridId: r.gridId, availability: r.availability,
  capacity: r.capacity, inUse: r.inUse, status: r.status, createdAt: isoInZone(r.createdAt, tz), updatedAt: isoInZone(r.updatedAt, tz),
});

export const viewMatch = (m: MatchRecord, tz: string): MatchView => ({
  id: m.id, needId: m.needId, resourceId: m.resourceId,
  resource: { providerKind: m.providerKind, providerName: m.providerName, title: m.resourceTitle, category: m.resourceCategory },
  score: m.score, reasons: m.reasons, status: m.status, projectId: m.projectId, taskId: m.taskId,
  proposedAt: isoInZone(m.proposedAt, tz), decidedAt: isoOrNull(m.decidedAt, tz), decidedBy: m.decidedBy, note: m.note,
});

export const viewTask = (t: TaskRecord, tz: string): TaskView => ({
  id: t.id, needId: t.needId, resourceId: t.resourceId, assigneeKind: t.assigneeKind, assigneeId: t.assigneeId, title: t.title,
  status: t.status, dueAt: isoOrNull(t.dueAt, tz), createdAt: isoInZone(t.createdAt, tz), doneAt: isoOrNull(t.doneAt, tz), note: t.note,
});
