/**
 * Buildings, households and residents as the server holds them (epoch-ms instants, JSON lists
 * parsed), their row mapping, and their projection for the staff API (ISO instants with the
 * community's offset). Nothing here goes to a public display: the wall gets guarded counts only
 * (server/register/stats.ts), never a name, a phone, an ID number or a house number.
 */
import { isoInZone } from '../../shared/time.ts';
import { maskIdNumber } from '../../shared/volunteers.ts';
import type {
  BuildingView, ConsentPurpose, Gender, HouseholdKind, HouseholdView, MobilityNeed, Relation, ResidenceStatus, ResidentTag, ResidentView,
} from '../../shared/register.ts';

/** Who made a row and who last changed it, when, and its version. */
export interface Stamp {
  version: number;
  createdAt: number;
  createdBy: string;
  updatedAt: number;
  updatedBy: string;
}

export interface BuildingRecord extends Stamp {
  id: number;
  communityId: string;
  gridId: string;
  address: string;
  units: number;
  floors: number;
  note: string | null;
  households: number;
  residents: number;
}

export interface HouseholdRecord extends Stamp {
  id: number;
  communityId: string;
  gridId: string;
  buildingId: number;
  unit: string | null;
  room: string;
  address: string;
  kind: HouseholdKind;
  note: string | null;
  residents: number;
}

export interface ResidentRecord extends Stamp {
  id: number;
  communityId: string;
  gridId: string;
  householdId: number;
  /** The household's address line. */
  address: string;
  name: string;
  gender: Gender;
  birth: string;
  idNumber: string | null;
  phone: string | null;
  relation: Relation;
  residence: ResidenceStatus;
  tags: ResidentTag[];
  emergencyName: string | null;
  emergencyPhone: string | null;
  emergencyRelation: string | null;
  mobility: MobilityNeed[];
  mobilityNote: string | null;
  consent: ConsentPurpose[];
  consentBy: string | null;
  consentAt: number | null;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
const stampOf = (r: any): Stamp => ({
  version: r.version, createdAt: r.created_at, createdBy: r.created_by, updatedAt: r.updated_at, updatedBy: r.updated_by,
});

export function buildingFromRow(r: any): BuildingRecord {
  return {
    id: r.id, communityId: r.community_id, gridId: r.grid_id, address: r.address, units: r.units, floors: r.floors, note: r.note,
    households: r.households ?? 0, residents: r.residents ?? 0, ...stampOf(r),
  };
}

export function householdFromRow(r: any): HouseholdRecord {
  return {
    id: r.id, communityId: r.community_id, gridId: r.grid_id, buildingId: r.building_id, unit: r.unit, room: r.room, address: r.address,
    kind: r.kind, note: r.note, residents: r.residents ?? 0, ...stampOf(r),
  };
}

export function residentFromRow(r: any): ResidentRecord {
  return {
    id: r.id, communityId: r.community_id, gridId: r.grid_id, householdId: r.household_id, address: r.address ?? '',
    name: r.name, gender: r.gender, birth: r.birth, idNumber: r.id_number, phone: r.phone, relation: r.relation, residence: r.residence,
    tags: JSON.parse(r.tags), emergencyName: r.emergency_name, emergencyPhone: r.emergency_phone, emergencyRelation: r.emergency_relation,
    mobility: JSON.parse(r.mobility), mobilityNote: r.mobility_note, consent: JSON.parse(r.consent), consentBy: r.consent_by,
    consentAt: r.consent_at, ...stampOf(r),
  };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

const stampView = (s: Stamp, tz: string) => ({
  version: s.version, createdAt: isoInZone(s.createdAt, tz), createdBy: s.createdBy, updatedAt: isoInZone(s.updatedAt, tz), updatedBy: s.updatedBy,
});

export function viewBuilding(b: BuildingRecord, tz: string): BuildingView {
  return {
    id: b.id, gridId: b.gridId, address: b.address, units: b.units, floors: b.floors, note: b.note, households: b.households,
    residents: b.residents, ...stampView(b, tz),
  };
}

export function viewHousehold(h: HouseholdRecord, tz: string): HouseholdView {
  return {
    id: h.id, gridId: h.gridId, buildingId: h.buildingId, unit: h.unit, room: h.room, address: h.address, kind: h.kind, note: h.note,
    residents: h.residents, ...stampView(h, tz),
  };
}

/**
 * A resident for the staff API. A list shows the ID number masked (330106********1234: enough
 * to tell two people apart); the record read on its own, which is logged, shows it whole.
 */
export function viewResident(r: ResidentRecord, tz: string, whole = false): ResidentView {
  return {
    id: r.id, gridId: r.gridId, householdId: r.householdId, address: r.address, name: r.name, gender: r.gender, birth: r.birth,
    idNumber: whole ? r.idNumber : maskIdNumber(r.idNumber), phone: r.phone, relation: r.relation, residence: r.residence, tags: r.tags,
    emergencyContact: r.emergencyName && r.emergencyPhone
      ? { name: r.emergencyName, phone: r.emergencyPhone, relation: r.emergencyRelation ?? '' }
      : null,
    mobility: r.mobility, mobilityNote: r.mobilityNote, consent: r.consent, consentRecordedBy: r.consentBy,
    consentRecordedAt: r.consentAt === null ? null : isoInZone(r.consentAt, tz), ...stampView(r, tz),
  };
}
