/**
 * A grid event as the server holds it (epoch-ms instants), its SQL row mapping, and its
 * projection for each audience: the one masking step every display payload passes through.
 */
import type { LifecycleState, PendingRequest, Status } from '../../shared/lifecycle.ts';
import { runningDeadline, signDueAt } from '../../shared/lifecycle.ts';
import { maskAddress, maskName, NameMasker, scrubText } from '../../shared/mask.ts';
import type { EventView, PublicEventView } from '../../shared/protocol.ts';
import type { Audience } from '../../shared/schemas.ts';
import { isProtectedEvent, subcategoryLabel, type Source, type Urgency } from '../../shared/taxonomy.ts';
import { isoInZone, isoOrNull, wallTime } from '../../shared/time.ts';

export interface EventRecord extends LifecycleState {
  id: number;
  code: string;
  communityId: string;
  gridId: string | null;
  subcategory: string | null;
  source: Source;
  title: string;
  description: string;
  address: string | null;
  lat: number | null;
  lng: number | null;
  reporterName: string | null;
  reporterPhone: string | null;
  externalId: string | null;
  reportedAt: number;
  reviewedAt: number | null;
  overdue: boolean;
  remindedAt: number | null;
  remindedDue: number | null;
  escalatedAt: number | null;
  version: number;
  updatedAt: number;
}

/** The date part of the last case number made: a bulk request's reports share their instant. */
let lastDate = { at: NaN, timeZone: '', date: '' };

/** The case number (案卷号) people read and quote: local report date and id, `20261122000123`. */
export function eventCode(id: number, reportedAt: number, timeZone: string): string {
  if (reportedAt !== lastDate.at || timeZone !== lastDate.timeZone) {
    const w = wallTime(reportedAt, timeZone);
    lastDate = { at: reportedAt, timeZone, date: `${w.year}${String(w.month).padStart(2, '0')}${String(w.day).padStart(2, '0')}` };
  }
  return `${lastDate.date}${String(id).padStart(6, '0')}`;
}

export interface EventRow {
  id: number; code: string; community_id: string; grid_id: string | null; category: string;
  subcategory: string | null; urgency: string; source: string; title: string; description: string;
  address: string | null; lat: number | null; lng: number | null; reporter_name: string | null;
  reporter_phone: string | null; external_id: string | null; status: string; assignee_id: string | null;
  pending: string | null; shelved_from: string | null; shelved_at: number | null; reported_at: number;
  accepted_at: number | null; dispatched_at: number | null; resolved_at: number | null;
  closed_at: number | null; reviewed_at: number | null; dispatch_due_at: number | null;
  handle_due_at: number | null; on_time: number | null; satisfaction: number | null; overdue: number;
  reminded_at: number | null; reminded_due: number | null; escalated_at: number | null;
  version: number; updated_at: number; assigned_at: number | null; signed_at: number | null; duplicate_of: number | null;
}

export function fromRow(r: EventRow): EventRecord {
  return {
    id: r.id, code: r.code, communityId: r.community_id, gridId: r.grid_id, category: r.category,
    subcategory: r.subcategory, urgency: r.urgency as Urgency, source: r.source as Source, title: r.title,
    description: r.description, address: r.address, lat: r.lat, lng: r.lng, reporterName: r.reporter_name,
    reporterPhone: r.reporter_phone, externalId: r.external_id, status: r.status as Status,
    assigneeId: r.assignee_id, pending: r.pending ? (JSON.parse(r.pending) as PendingRequest) : null,
    shelvedFrom: r.shelved_from as Status | null, shelvedAt: r.shelved_at, reportedAt: r.reported_at,
    acceptedAt: r.accepted_at, dispatchedAt: r.dispatched_at, resolvedAt: r.resolved_at,
    closedAt: r.closed_at, reviewedAt: r.reviewed_at, dispatchDueAt: r.dispatch_due_at,
    handleDueAt: r.handle_due_at, onTime: r.on_time === null ? null : r.on_time === 1,
    satisfaction: r.satisfaction, overdue: r.overdue === 1, remindedAt: r.reminded_at,
    remindedDue: r.reminded_due, escalatedAt: r.escalated_at, version: r.version, updatedAt: r.updated_at,
    assignedAt: r.assigned_at ?? null, signedAt: r.signed_at ?? null, duplicateOf: r.duplicate_of ?? null,
  };
}

/** Named parameters for the INSERT and UPDATE statements. */
export function toParams(e: EventRecord): Record<string, unknown> {
  return {
    id: e.id, code: e.code, community_id: e.communityId, grid_id: e.gridId, category: e.category,
    subcategory: e.subcategory, urgency: e.urgency, source: e.source, title: e.title,
    description: e.description, address: e.address, lat: e.lat, lng: e.lng,
    reporter_name: e.reporterName, reporter_phone: e.reporterPhone, external_id: e.externalId,
    status: e.status, assignee_id: e.assigneeId, pending: e.pending ? JSON.stringify(e.pending) : null,
    shelved_from: e.shelvedFrom, shelved_at: e.shelvedAt, reported_at: e.reportedAt,
    accepted_at: e.acceptedAt, dispatched_at: e.dispatchedAt, resolved_at: e.resolvedAt,
    closed_at: e.closedAt, reviewed_at: e.reviewedAt, dispatch_due_at: e.dispatchDueAt,
    handle_due_at: e.handleDueAt, on_time: e.onTime === null ? null : e.onTime ? 1 : 0,
    satisfaction: e.satisfaction, overdue: e.overdue ? 1 : 0, reminded_at: e.remindedAt,
    reminded_due: e.remindedDue, escalated_at: e.escalatedAt, version: e.version, updated_at: e.updatedAt,
    assigned_at: e.assignedAt ?? null, signed_at: e.signedAt ?? null, duplicate_of: e.duplicateOf ?? null,
  };
}

export const EVENT_COLUMNS = Object.keys(toParams({} as EventRecord));

export interface ViewContext {
  timeZone: string;
  workerName: (id: string) => string | null;
  /**
   * The masker of every person the community holds by name (server/privacy/known-names.ts):
   * any of them in free text is masked for the public audience. Optional only so that
   * contexts built outside the app (benchmarks) still type-check; the app always supplies it.
   */
  names?: () => NameMasker;
  /** Changes whenever the masker learns a name (a snapshot cached before must not be served again). */
  namesGeneration?: () => number;
}

const NO_NAMES = new NameMasker();

/**
 * The event as `audience` may see it. The public audience (wall displays) never receives the
 * reporter nor the free-text description; its title and notes are scrubbed of phone and ID
 * numbers and of every name the community knows (and the reporter's), addresses are cut to
 * building level and staff names masked; an event about one vulnerable resident
 * (`isProtectedEvent`) keeps only its kind, grid and times.
 */
export function projectEvent(e: EventRecord, audience: Audience, ctx: ViewContext): EventView {
  const tz = ctx.timeZone;
  const iso = (ms: number | null) => isoOrNull(ms, tz);
  const assigneeName = e.assigneeId ? ctx.workerName(e.assigneeId) : null;
  const due = runningDeadline(e);
  const view: EventView = {
    id: e.id, code: e.code, communityId: e.communityId, gridId: e.gridId, category: e.category,
    subcategory: e.subcategory, urgency: e.urgency, source: e.source, status: e.status,
    title: e.title, description: e.description, address: e.address, lat: e.lat, lng: e.lng,
    assigneeId: e.assigneeId, assigneeName,
    pending: e.pending ? { ...e.pending, at: isoInZone(e.pending.at, tz) } : null,
    reportedAt: isoInZone(e.reportedAt, tz), acceptedAt: iso(e.acceptedAt), dispatchedAt: iso(e.dispatchedAt),
    resolvedAt: iso(e.resolvedAt), closedAt: iso(e.closedAt), dispatchDueAt: iso(e.dispatchDueAt),
    handleDueAt: iso(e.handleDueAt), dueAt: iso(due), overdue: e.overdue, onTime: e.onTime,
    assignedAt: iso(e.assignedAt ?? null), signedAt: iso(e.signedAt ?? null), signDueAt: iso(signDueAt(e)),
    duplicateOf: e.duplicateOf ?? null,
    satisfaction: e.satisfaction, remindedAt: iso(e.remindedAt), escalatedAt: iso(e.escalatedAt),
    version: e.version, updatedAt: isoInZone(e.updatedAt, tz),
  };
  if (audience === 'staff') {
    view.reporterName = e.reporterName;
    view.reporterPhone = e.reporterPhone;
    view.externalId = e.externalId;
    return view;
  }
  // An event about one vulnerable resident says what kind of matter and which grid, nothing typed about them.
  const guarded = isProtectedEvent(e.category, e.subcategory);
  const names = ctx.names?.() ?? NO_NAMES;
  const text = (t: string) => (guarded ? '' : publicText(t, names, e.reporterName));
  view.title = guarded ? subcategoryLabel(e.category, e.subcategory) : text(e.title);
  // The wall shows titles; a description is where a resident's story (and names nobody
  // recorded) is typed, so it never leaves the staff audience.
  delete view.description;
  const address = guarded ? null : maskAddress(e.address);
  view.address = address === null ? null : names.apply(address, e.reporterName);
  if (guarded) view.lat = view.lng = null;
  view.assigneeName = maskName(assigneeName);
  view.pending = e.pending ? { ...view.pending!, by: maskName(e.pending.by) ?? '', note: text(e.pending.note) } : null;
  return view;
}

/**
 * The part of an event a wall receives (`PublicEventView`): what it draws and what the display
 * rule reads, computed directly (two instants, not a dozen). Everything else a public
 * `EventView` would hold, masked as it is (assignee, address, pending request, deadlines, the
 * times of each step), no wall shows. Equal to `projectEvent(e, 'public', ctx)` cut down to those
 * fields (a unit test holds the two together).
 */
export function projectPublicEvent(e: EventRecord, ctx: ViewContext): PublicEventView {
  const guarded = isProtectedEvent(e.category, e.subcategory);
  return {
    id: e.id, code: e.code, gridId: e.gridId, category: e.category, status: e.status,
    title: guarded ? subcategoryLabel(e.category, e.subcategory) : publicText(e.title, ctx.names?.() ?? NO_NAMES, e.reporterName),
    lat: guarded ? null : e.lat, lng: guarded ? null : e.lng, overdue: e.overdue,
    closedAt: isoOrNull(e.closedAt, ctx.timeZone), updatedAt: isoInZone(e.updatedAt, ctx.timeZone), version: e.version,
  };
}

interface Displayed {
  version: number;
  updatedAt: number;
  timeZone: string;
  names: number;
  view: EventView | PublicEventView;
}
const displayed: Record<Audience, WeakMap<EventRecord, Displayed>> = { staff: new WeakMap(), public: new WeakMap() };

/**
 * An event as `audience` receives it over the socket (staff: `EventView`; a wall:
 * `PublicEventView`), remembered per event: the read model holds each event as one object until
 * it changes (a change makes a new one), so a snapshot projects only the events that changed
 * since the last, not all 3,000 a display holds (docs/PERFORMANCE.md). A view is handed out again
 * only for the same version, time zone and, for a wall, the same generation of known names (this
 * pass catches up with the names first), so a name learnt since is masked. Worker names come
 * from the directory, which changes only when a community is installed again. Callers must not
 * change the view they get.
 */
export function displayEvent(e: EventRecord, audience: Audience, ctx: ViewContext): EventView | PublicEventView {
  let names = 0;
  if (audience === 'public') {
    ctx.names?.();
    names = ctx.namesGeneration?.() ?? 0;
  }
  const memo = displayed[audience];
  const hit = memo.get(e);
  if (hit && hit.version === e.version && hit.updatedAt === e.updatedAt && hit.timeZone === ctx.timeZone && hit.names === names) {
    return hit.view;
  }
  const view = audience === 'public' ? projectPublicEvent(e, ctx) : projectEvent(e, 'staff', ctx);
  memo.set(e, { version: e.version, updatedAt: e.updatedAt, timeZone: ctx.timeZone, names, view });
  return view;
}

/** Free text for the public audience: numbers scrubbed, every known name and the reporter's masked. */
function publicText(text: string, names: NameMasker, reporterName: string | null): string {
  return names.apply(scrubText(text), reporterName);
}
