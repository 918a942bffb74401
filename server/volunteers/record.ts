/**
 * The volunteer ledger as the server holds it (epoch-ms instants), its row mapping, and its
 * projection for the staff API (ISO instants with the community's offset). Nothing here goes
 * to a public display yet: that projection, masked, comes with the live fan-out.
 */
import { isoInZone, isoOrNull } from '../../shared/time.ts';
import {
  maskIdNumber,
  type ActivityStatus, type ActivityView, type DeskSignupView, type ExchangeItemView, type LedgerLineView, type RedemptionView,
  type ServiceRecordView, type SignupStatus, type SignupView, type VolunteerStatus, type VolunteerView,
  type Availability,
} from '../../shared/volunteers.ts';
import type { LedgerLine } from './ledger.ts';

export interface VolunteerRecord {
  id: number;
  communityId: string;
  name: string;
  phone: string;
  idNumber: string | null;
  skills: string[];
  teamId: number | null;
  availability: Availability | null;
  status: VolunteerStatus;
  registeredAt: number;
  updatedAt: number;
  gridId: string | null;
  /** Counts its changes (migration 16): a form's `expectedVersion`. */
  version: number;
  /** The card code (志愿者证号, migration 17) the check-in desk scans. */
  cardCode: string | null;
}

export interface ActivityRecord {
  id: number;
  communityId: string;
  title: string;
  description: string;
  organiser: string;
  startsAt: number;
  endsAt: number;
  place: string;
  gridId: string | null;
  capacity: number;
  skillsWanted: string[];
  pointsPerHour: number;
  status: ActivityStatus;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
  /** What the activity's QR code carries (migration 14); never in a list or on a wall. */
  checkInCode: string;
}

export interface SignupRecord {
  id: number;
  activityId: number;
  volunteerId: number;
  status: SignupStatus;
  signedUpAt: number;
  checkedInAt: number | null;
  checkedOutAt: number | null;
}

export interface ServiceRecord {
  id: number;
  communityId: string;
  volunteerId: number;
  volunteerName: string;
  activityId: number;
  activityTitle: string;
  signupId: number;
  hours: number;
  points: number;
  content: string;
  certificateNo: string;
  issuedAt: number;
  issuer: string;
  recordedBy: string;
  txnId: number | null;
}

export interface ExchangeItemRecord {
  id: number;
  communityId: string;
  name: string;
  description: string;
  pointsCost: number;
  stock: number;
  createdAt: number;
  updatedAt: number;
}

export interface RedemptionRecord {
  id: number;
  communityId: string;
  volunteerId: number;
  itemId: number;
  itemName: string;
  quantity: number;
  points: number;
  txnId: number;
  at: number;
  actor: string;
}

export interface TeamRecord {
  id: number;
  name: string;
  members: number;
}

/** A row as better-sqlite3 returns it; its columns are those of migrations.ts. */
type Row = any;

export const volunteerFromRow = (r: Row): VolunteerRecord => ({
  id: r.id, communityId: r.community_id, name: r.name, phone: r.phone, idNumber: r.id_number,
  skills: JSON.parse(r.skills) as string[], teamId: r.team_id,
  availability: r.availability ? (JSON.parse(r.availability) as Availability) : null, status: r.status, registeredAt: r.registered_at,
  updatedAt: r.updated_at, gridId: r.grid_id ?? null, version: r.version ?? 0,
  cardCode: r.card_code ?? null,
});

export const activityFromRow = (r: Row): ActivityRecord => ({
  id: r.id, communityId: r.community_id, title: r.title, description: r.description, organiser: r.organiser,
  startsAt: r.starts_at, endsAt: r.ends_at, place: r.place, gridId: r.grid_id, capacity: r.capacity,
  skillsWanted: JSON.parse(r.skills_wanted) as string[], pointsPerHour: r.points_per_hour, status: r.status,
  createdBy: r.created_by, createdAt: r.created_at, updatedAt: r.updated_at, checkInCode: r.check_in_code,
});

export const signupFromRow = (r: Row): SignupRecord => ({
  id: r.id, activityId: r.activity_id, volunteerId: r.volunteer_id, status: r.status, signedUpAt: r.signed_up_at,
  checkedInAt: r.checked_in_at, checkedOutAt: r.checked_out_at,
});

/** A service_records row joined with the volunteer's name and the activity's title. */
export const serviceRecordFromRow = (r: Row): ServiceRecord => ({
  id: r.id, communityId: r.community_id, volunteerId: r.volunteer_id, volunteerName: r.volunteer_name,
  activityId: r.activity_id, activityTitle: r.activity_title, signupId: r.signup_id, hours: r.hours, points: r.points,
  content: r.content, certificateNo: r.certificate_no, issuedAt: r.issued_at, issuer: r.issuer,
  recordedBy: r.recorded_by, txnId: r.txn_id,
});

export const itemFromRow = (r: Row): ExchangeItemRecord => ({
  id: r.id, communityId: r.community_id, name: r.name, description: r.description, pointsCost: r.points_cost,
  stock: r.stock, createdAt: r.created_at, updatedAt: r.updated_at,
});

export const redemptionFromRow = (r: Row): RedemptionRecord => ({
  id: r.id, communityId: r.community_id, volunteerId: r.volunteer_id, itemId: r.item_id, itemName: r.item_name,
  quantity: r.quantity, points: r.points, txnId: r.txn_id, at: r.at, actor: r.actor,
});

// ---- the staff API's views -------------------------------------------------------------------

export const viewVolunteer = (v: VolunteerRecord, balance: number, tz: string): VolunteerView => ({
  id: v.id, name: v.name, phone: v.phone, idNumber: maskIdNumber(v.idNumber), skills: v.skills, teamId: v.teamId,
  availability: v.availability, status: v.status, registeredAt: isoInZone(v.registeredAt, tz), balance,
  gridId: v.gridId, version: v.version,
  cardCode: v.cardCode,
});

export const viewActivity = (a: ActivityRecord, taken: number, tz: string): ActivityView => ({
  id: a.id, title: a.title, description: a.description, organiser: a.organiser, startsAt: isoInZone(a.startsAt, tz),
  endsAt: isoInZone(a.endsAt, tz), place: a.place, gridId: a.gridId, capacity: a.capacity, taken,
  skillsWanted: a.skillsWanted, pointsPerHour: a.pointsPerHour, status: a.status, createdAt: isoInZone(a.createdAt, tz),
  updatedAt: isoInZone(a.updatedAt, tz),
});

/** A deskSignups row: the sign-up with the volunteer's name, phone, card code and status. */
export const viewDeskSignup = (r: Row, tz: string): DeskSignupView => ({
  ...viewSignup(signupFromRow(r), tz), volunteerName: r.volunteer_name, volunteerPhone: r.volunteer_phone,
  cardCode: r.card_code ?? null, volunteerStatus: r.volunteer_status,
});

export const viewSignup = (s: SignupRecord, tz: string): SignupView => ({
  id: s.id, activityId: s.activityId, volunteerId: s.volunteerId, status: s.status,
  signedUpAt: isoInZone(s.signedUpAt, tz), checkedInAt: isoOrNull(s.checkedInAt, tz), checkedOutAt: isoOrNull(s.checkedOutAt, tz),
});

export const viewServiceRecord = (r: ServiceRecord, tz: string): ServiceRecordView => ({
  id: r.id, certificateNo: r.certificateNo, volunteerId: r.volunteerId, volunteerName: r.volunteerName,
  activityId: r.activityId, activityTitle: r.activityTitle, hours: r.hours, points: r.points, content: r.content,
  issuer: r.issuer, issuedAt: isoInZone(r.issuedAt, tz),
});

export const viewItem = (i: ExchangeItemRecord): ExchangeItemView => ({
  id: i.id, name: i.name, description: i.description, pointsCost: i.pointsCost, stock: i.stock,
});

export const viewRedemption = (r: RedemptionRecord, tz: string): RedemptionView => ({
  id: r.id, volunteerId: r.volunteerId, itemId: r.itemId, itemName: r.itemName, quantity: r.quantity, points: r.points,
  at: isoInZone(r.at, tz),
});

export const viewLedgerLine = (l: LedgerLine, tz: string): LedgerLineView => ({
  entryId: l.entryId, txnId: l.txnId, kind: l.kind, amount: l.amount, balanceAfter: l.balanceAfter, memo: l.memo,
  at: isoInZone(l.at, tz),
});
