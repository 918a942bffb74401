/**
 * The register on the tablet, pure (一标三实: buildings, households, residents as last loaded,
 * kept in IndexedDB by field.svelte.ts): which households hold key populations, the residents a
 * household shows while the worker's own additions and corrections still wait in the outbox,
 * and the bodies the forms send — a visit (`POST /visits`), a need raised from it
 * (`POST /needs`), a resident added (`POST /register/residents`) or corrected (only what changed,
 * `PATCH /register/residents/<id>`; the version goes with it when sent).
 */
import type { EmergencyContact, HouseholdView, ResidentView } from '../../shared/register.ts';
import type { VisitKind } from '../../shared/fieldwork.ts';
import {
  GENDERS, PHONE_PATTERN, RELATIONS, RESIDENCE_STATUSES, RESIDENT_TAGS, isBirth, type Gender, type Relation, type ResidenceStatus, type ResidentTag,
} from '../../shared/register-vocabulary.ts';
import type { VISIT_HEALTH, VISIT_LIVING, VISIT_SAFETY } from '../../shared/fieldwork-vocabulary.ts';
import { POPULATION_CODES, type ServiceCategory } from '../../shared/subjects.ts';
import { isUnsent, type OutboxEntry } from './outbox/machine.ts';

export { GENDERS, RELATIONS, RESIDENCE_STATUSES, RESIDENT_TAGS };

/** A household holds a key population (重点人群) when one of its residents carries a tag. */
export function tagsOfHousehold(residents: readonly Pick<ResidentView, 'tags'>[]): ResidentTag[] {
  const all = new Set(residents.flatMap((r) => r.tags));
  return RESIDENT_TAGS.map((t) => t.code).filter((c) => all.has(c));
}

// ---- the resident form ---------------------------------------------------------------------------

export interface ResidentForm {
  name: string;
  gender: Gender;
  birth: string;
  phone: string;
  relation: Relation;
  residence: ResidenceStatus;
  tags: ResidentTag[];
  contactName: string;
  contactPhone: string;
  contactRelation: string;
}

export function blankResident(): ResidentForm {
  return { name: '', gender: 'female', birth: '', phone: '', relation: 'other', residence: 'resident', tags: [], contactName: '', contactPhone: '', contactRelation: '' };
}

export function formOf(r: ShownResident): ResidentForm {
  return {
    name: r.name, gender: r.gender, birth: r.birth, phone: r.phone ?? '', relation: r.relation, residence: r.residence, tags: [...r.tags],
    contactName: r.emergencyContact?.name ?? '', contactPhone: r.emergencyContact?.phone ?? '', contactRelation: r.emergencyContact?.relation ?? '',
  };
}

export type FormProblem = 'name' | 'birth' | 'phone' | 'contact' | 'contactPhone' | 'nothing';

const cleanPhone = (s: string) => s.trim().replace(/\s+/g, ' ');
const contactOf = (f: ResidentForm): EmergencyContact | null =>
  f.contactName.trim() || f.contactPhone.trim() || f.contactRelation.trim()
    ? { name: f.contactName.trim(), phone: cleanPhone(f.contactPhone), relation: f.contactRelation.trim() }
    : null;

/** What is wrong with the form, said before it is saved (the server would refuse it hours later). */
export function problemsOf(f: ResidentForm): FormProblem[] {
  const out: FormProblem[] = [];
  if (!f.name.trim()) out.push('name');
  if (!isBirth(f.birth.trim())) out.push('birth');
  if (f.phone.trim() && !PHONE_PATTERN.test(cleanPhone(f.phone))) out.push('phone');
  const c = contactOf(f);
  if (c && (!c.name || !c.relation)) out.push('contact');
  if (c && !PHONE_PATTERN.test(c.phone)) out.push('contactPhone');
  return out;
}

const sameTags = (a: readonly string[], b: readonly string[]) => [...a].sort().join() === [...b].sort().join();
const sameContact = (a: EmergencyContact | null, b: EmergencyContact | null) =>
  (a === null && b === null) || (a !== null && b !== null && a.name === b.name && a.phone === b.phone && a.relation === b.relation);

/** The body of `POST /register/residents` for a resident of `householdId`. */
export function additionOf(householdId: number, f: ResidentForm): Record<string, unknown> {
  const body: Record<string, unknown> = {
    householdId, name: f.name.trim(), gender: f.gender, birth: f.birth.trim(), relation: f.relation, residence: f.residence,
    tags: [...f.tags].sort(),
  };
  if (f.phone.trim()) body.phone = cleanPhone(f.phone);
  const c = contactOf(f);
  if (c) body.emergencyContact = c;
  return body;
}

/** Only what the worker changed of `r` (null when nothing did): the correction's body, without its version. */
export function correctionOf(r: ShownResident, f: ResidentForm): Record<string, unknown> | null {
  const out: Record<string, unknown> = {};
  if (f.name.trim() !== r.name) out.name = f.name.trim();
  if (f.gender !== r.gender) out.gender = f.gender;
  if (f.birth.trim() !== r.birth) out.birth = f.birth.trim();
  const phone = f.phone.trim() ? cleanPhone(f.phone) : null;
  if (phone !== (r.phone ?? null)) out.phone = phone;
  if (f.relation !== r.relation) out.relation = f.relation;
  if (f.residence !== r.residence) out.residence = f.residence;
  if (!sameTags(f.tags, r.tags)) out.tags = [...f.tags].sort();
  const c = contactOf(f);
  if (!sameContact(c, r.emergencyContact)) out.emergencyContact = c;
  return Object.keys(out).length ? out : null;
}

// ---- what a household shows --------------------------------------------------------------------

/** A resident as the household page shows them: as kept, with the worker's unsent changes on top. */
export interface ShownResident {
  /** The register's id; null for one added on this tablet and not yet received. */
  id: number | null;
  key: string;
  householdId: number;
  name: string;
  gender: Gender;
  birth: string;
  phone: string | null;
  relation: Relation;
  residence: ResidenceStatus;
  tags: ResidentTag[];
  emergencyContact: EmergencyContact | null;
  /** The version the register had when loaded (a correction names it); null for an unsent one. */
  version: number | null;
  /** A change of the worker's waits in the outbox. */
  pending: 'add' | 'fix' | null;
}

function shown(r: ResidentView): ShownResident {
  return {
    id: r.id, key: `r${r.id}`, householdId: r.householdId, name: r.name, gender: r.gender, birth: r.birth, phone: r.phone, relation: r.relation,
    residence: r.residence, tags: [...r.tags], emergencyContact: r.emergencyContact, version: r.version, pending: null,
  };
}

/**
 * The residents of `householdId`: those kept, each with the worker's unsent corrections applied
 * in order, and then those the worker added here and the server has not received yet.
 */
export function residentsNow(kept: readonly ResidentView[], householdId: number, entries: readonly OutboxEntry[]): ShownResident[] {
  const unsent = entries.filter(isUnsent);
  const out = kept.filter((r) => r.householdId === householdId).map(shown);
  for (const e of unsent) {
    if (e.kind !== 'resident_fix') continue;
    const r = out.find((x) => e.target === `resident:${x.id}`);
    if (r) Object.assign(r, e.request.body, { pending: 'fix' });
  }
  for (const e of unsent) {
    const b = e.request.body as Partial<ShownResident> & { householdId?: number };
    if (e.kind !== 'resident_add' || b.householdId !== householdId) continue;
    out.push({
      id: null, key: e.id, householdId, name: String(b.name ?? ''), gender: b.gender ?? 'female', birth: String(b.birth ?? ''), phone: b.phone ?? null,
      relation: b.relation ?? 'other', residence: b.residence ?? 'resident', tags: b.tags ?? [], emergencyContact: b.emergencyContact ?? null,
      version: null, pending: 'add',
    });
  }
  return out.filter((r) => r.householdId === householdId);
}

/** The worker's records about a household: its visits and needs, its residents added and corrected. */
export function recordsOfHousehold(entries: readonly OutboxEntry[], householdId: number, residentIds: readonly number[]): OutboxEntry[] {
  return entries.filter((e) => {
    const b = e.request.body as { householdId?: unknown; householdRef?: unknown };
    if (e.kind === 'resident_fix') return residentIds.some((id) => e.target === `resident:${id}`);
    if (e.kind === 'need') return e.target === `household:${householdId}`;
    return (e.kind === 'visit' || e.kind === 'resident_add') && b.householdId === householdId;
  });
}

// ---- a visit, and a need raised from it ---------------------------------------------------------

export interface VisitForm {
  kind: VisitKind;
  residentId: number | null;
  met: boolean;
  safety: (typeof VISIT_SAFETY)[number];
  health: (typeof VISIT_HEALTH)[number];
  living: (typeof VISIT_LIVING)[number];
  note: string;
  followUp: boolean;
}

export function blankVisit(keyPopulation: boolean): VisitForm {
  return { kind: keyPopulation ? 'key_population' : 'routine', residentId: null, met: true, safety: 'ok', health: 'good', living: 'ok', note: '', followUp: false };
}

/** The body of `POST /visits` for a visit to `h` done at `now`. */
export function visitBody(h: Pick<HouseholdView, 'id' | 'gridId' | 'address'>, v: VisitForm, now: number): Record<string, unknown> {
  return {
    gridId: h.gridId, householdId: h.id, ...(v.residentId !== null ? { residentId: v.residentId } : {}), address: h.address.slice(0, 200),
    kind: v.kind, visitedAt: new Date(now).toISOString(), met: v.met, safety: v.safety, health: v.health, living: v.living,
    note: v.note.trim().slice(0, 2000), followUp: v.followUp,
  };
}

/** Need urgencies as shared/needs.ts has them (that module brings zod; the type keeps this list true). */
export const NEED_URGENCIES = ['low', 'normal', 'high', 'urgent'] as const satisfies readonly import('../../shared/needs.ts').NeedUrgency[];

export interface NeedForm {
  title: string;
  category: ServiceCategory;
  urgency: (typeof NEED_URGENCIES)[number];
  description: string;
}

/**
 * The body of `POST /needs` raised by the grid worker for a resident met on a visit: the
 * household's grid and address, the resident's name and phone, and their key-population tags
 * that are also the needs' populations.
 */
export function needBody(h: Pick<HouseholdView, 'gridId' | 'address'>, resident: Pick<ShownResident, 'name' | 'phone' | 'tags'> | null, n: NeedForm): Record<string, unknown> {
  const populations = (resident?.tags ?? []).filter((t) => (POPULATION_CODES as readonly string[]).includes(t));
  return {
    title: n.title.trim().slice(0, 80), description: n.description.trim().slice(0, 2000), category: n.category, urgency: n.urgency,
    gridId: h.gridId, address: h.address.slice(0, 200), raisedByKind: 'grid_worker',
    ...(resident ? { residentName: resident.name.slice(0, 40) } : {}),
    ...(resident?.phone && /^[0-9+\- ]{5,20}$/.test(resident.phone) ? { residentPhone: resident.phone } : {}),
    populations,
  };
}
