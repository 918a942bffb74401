/**
 * The community register (一标三实: 标准地址, 实有人口, 实有房屋, 实有单位): buildings at their
 * standard address, the households (户) in them, the residents who actually live there, with the
 * key-population tags, emergency contact, evacuation needs and consent a grid worker records.
 * The vocabulary, the pure rules (a phone number, a birth date) and the zod schemas of every
 * body and query of `/register/...`, shared by the server, the console's forms and the tests.
 *
 * Long on purpose: it is the contract of one subject (vocabulary, one schema per body and query,
 * the answers' shapes), which the server, the forms and the tests share.
 */
import { z } from 'zod';
import { multiLineText, singleLineText } from './text.ts';
import { isValidIdNumber } from './volunteers.ts';
import { RESIDENT_TAG_CODES, MOBILITY_CODES, CONSENT_PURPOSES, HOUSEHOLD_KINDS, RELATIONS, RESIDENCE_STATUSES, GENDERS, PHONE_PATTERN, isBirth } from './register-vocabulary.ts';

export * from './register-vocabulary.ts';

// ---- schemas ----------------------------------------------------------------------------------

const required = (max: number) => singleLineText(max).min(1, 'required');
const id = z.number({ message: 'must be a number' }).int('must be a whole number').positive('must be positive');
const gridId = z.string().min(1, 'required').max(40);
const digits = z.string().regex(/^\d{1,12}$/, 'must be an id');
const cursor = z.string().regex(/^\d+$/, 'is not a cursor from a previous page').optional();
const pageLimit = z.coerce.number().int().min(1).max(500).default(50);
const version = z.number({ message: 'must be the version the form was opened with' }).int('must be a whole number').min(1, 'must be at least 1');

/** A phone number, blank or absent for none. */
export const registerPhone = z.string().trim().transform((s) => s.replace(/\s+/g, ' '))
  .refine((s) => PHONE_PATTERN.test(s), 'must be a mobile number (11 digits) or a landline with its area code');
const optionalPhone = z.union([z.literal('').transform(() => null), z.null(), registerPhone]);

/** A resident ID number (居民身份证号), checked by its check digit as the volunteer registry does. */
export const idNumber = z.string().trim().toUpperCase()
  .refine(isValidIdNumber, 'must be an 18-character resident ID number with a valid check digit');

const birth = z.string().trim().refine((s) => isBirth(s), 'must be a year (1948) or a date (1948-03-09), not in the future');
const tags = z.array(z.enum(RESIDENT_TAG_CODES, { message: `must be one of ${RESIDENT_TAG_CODES.join(', ')}` }),
  { message: 'must be a list of key-population tags' }).max(RESIDENT_TAG_CODES.length).transform((l) => [...new Set(l)].sort());
const mobility = z.array(z.enum(MOBILITY_CODES, { message: `must be one of ${MOBILITY_CODES.join(', ')}` }),
  { message: 'must be a list of evacuation needs' }).max(MOBILITY_CODES.length).transform((l) => [...new Set(l)].sort());
const consent = z.array(z.enum(CONSENT_PURPOSES, { message: `must be one of ${CONSENT_PURPOSES.join(', ')}` }),
  { message: 'must be a list of purposes' }).max(CONSENT_PURPOSES.length).transform((l) => [...new Set(l)].sort());

/** Who to call for this resident (紧急联系人); all three, or none. */
export const emergencyContact = z.object({
  name: required(40),
  phone: registerPhone,
  relation: required(20),
}).strict();
export type EmergencyContact = z.infer<typeof emergencyContact>;

const nothingButVersion = (v: object) => Object.keys(v).some((k) => k !== 'expectedVersion');

// buildings

export const createBuildingBody = z.object({
  gridId,
  /** The standard address (标准地址), e.g. 幸福路12号3栋; unique in the community. */
  address: required(80),
  /** Units or entrances (单元); 0 for a house with none. */
  units: z.number({ message: 'must be a number' }).int('must be a whole number').min(0, 'must not be negative').max(50, 'at most 50').default(1),
  floors: z.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'at least 1').max(120, 'at most 120').default(1),
  note: multiLineText(200).optional(),
}).strict();
export type CreateBuildingBody = z.infer<typeof createBuildingBody>;

export const updateBuildingBody = z.object({
  address: required(80).optional(),
  units: z.number({ message: 'must be a number' }).int('must be a whole number').min(0, 'must not be negative').max(50, 'at most 50').optional(),
  floors: z.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'at least 1').max(120, 'at most 120').optional(),
  note: multiLineText(200).nullable().optional(),
  expectedVersion: version,
}).strict().refine(nothingButVersion, { message: 'nothing to change', path: ['(body)'] });
export type UpdateBuildingBody = z.infer<typeof updateBuildingBody>;

// households

export const createHouseholdBody = z.object({
  buildingId: id,
  /** The unit (单元), e.g. 2; none for a building without units. */
  unit: singleLineText(10).optional(),
  /** The room or house number (房号), e.g. 302. */
  room: required(20),
  kind: z.enum(HOUSEHOLD_KINDS, { message: `must be one of ${HOUSEHOLD_KINDS.join(', ')}` }),
  note: multiLineText(200).optional(),
}).strict();
export type CreateHouseholdBody = z.infer<typeof createHouseholdBody>;

export const updateHouseholdBody = z.object({
  unit: singleLineText(10).nullable().optional(),
  room: required(20).optional(),
  kind: z.enum(HOUSEHOLD_KINDS, { message: `must be one of ${HOUSEHOLD_KINDS.join(', ')}` }).optional(),
  note: multiLineText(200).nullable().optional(),
  expectedVersion: version,
}).strict().refine(nothingButVersion, { message: 'nothing to change', path: ['(body)'] });
export type UpdateHouseholdBody = z.infer<typeof updateHouseholdBody>;

// residents

const residentFields = {
  name: required(40),
  gender: z.enum(GENDERS, { message: 'must be male or female' }),
  birth,
  idNumber: z.union([z.literal('').transform(() => null), z.null(), idNumber]).optional(),
  phone: optionalPhone.optional(),
  relation: z.enum(RELATIONS, { message: `must be one of ${RELATIONS.join(', ')}` }),
  residence: z.enum(RESIDENCE_STATUSES, { message: `must be one of ${RESIDENCE_STATUSES.join(', ')}` }),
  tags: tags.optional(),
  emergencyContact: emergencyContact.nullable().optional(),
  mobility: mobility.optional(),
  mobilityNote: multiLineText(200).optional(),
  /** What may be shared in normal times; recorded with who recorded it and when. */
  consent: consent.optional(),
};

export const createResidentBody = z.object({ householdId: id, ...residentFields }).strict();
export type CreateResidentBody = z.infer<typeof createResidentBody>;

export const updateResidentBody = z.object({
  householdId: id.optional(),
  name: residentFields.name.optional(),
  gender: residentFields.gender.optional(),
  birth: birth.optional(),
  idNumber: residentFields.idNumber,
  phone: residentFields.phone,
  relation: residentFields.relation.optional(),
  residence: residentFields.residence.optional(),
  tags: residentFields.tags,
  emergencyContact: residentFields.emergencyContact,
  mobility: residentFields.mobility,
  mobilityNote: multiLineText(200).nullable().optional(),
  consent: residentFields.consent,
  expectedVersion: version,
}).strict().refine(nothingButVersion, { message: 'nothing to change', path: ['(body)'] });
export type UpdateResidentBody = z.infer<typeof updateResidentBody>;

// queries

export const listBuildingsQuery = z.object({
  grid: gridId.optional(),
  /** Part of the address. */
  q: singleLineText(40).optional(),
  limit: pageLimit,
  cursor,
}).strict();
export type ListBuildingsQuery = z.infer<typeof listBuildingsQuery>;

export const listHouseholdsQuery = z.object({
  building: digits.transform(Number).optional(),
  grid: gridId.optional(),
  q: singleLineText(40).optional(),
  limit: pageLimit,
  cursor,
}).strict();
export type ListHouseholdsQuery = z.infer<typeof listHouseholdsQuery>;

export const listResidentsQuery = z.object({
  grid: gridId.optional(),
  building: digits.transform(Number).optional(),
  household: digits.transform(Number).optional(),
  tag: z.enum(RESIDENT_TAG_CODES, { message: `must be one of ${RESIDENT_TAG_CODES.join(', ')}` }).optional(),
  /** Part of a name, a phone number or an address. */
  q: singleLineText(40).optional(),
  limit: pageLimit,
  cursor,
}).strict();
export type ListResidentsQuery = z.infer<typeof listResidentsQuery>;

/** A register sheet (CSV or XLSX, one row per resident), as base64; `save: false` previews. */
export const MAX_REGISTER_SHEET_BYTES = 2 * 1024 * 1024;
export const importRegisterBody = z.object({
  file: z.object({
    name: singleLineText(200).min(1),
    data: z.base64({ message: 'must be the file as base64' }).max(Math.ceil(MAX_REGISTER_SHEET_BYTES / 3) * 4, 'the file is larger than 2 MB'),
  }).strict(),
  save: z.boolean().default(false),
}).strict();
export type ImportRegisterBody = z.input<typeof importRegisterBody>;

export const templateQuery = z.object({
  format: z.enum(['csv', 'xlsx']).default('xlsx'),
  lang: z.enum(['zh-CN', 'en']).optional(),
}).strict();

// ---- what the API answers ----------------------------------------------------------------------

/** Who made the last change and when, and the version a correction must name. */
const stamped = {
  version: z.number(),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
  updatedBy: z.string(),
};

export const buildingView = z.object({
  id: z.number(), gridId: z.string(), address: z.string(), units: z.number(), floors: z.number(), note: z.string().nullable(),
  households: z.number(), residents: z.number(), ...stamped,
}).strict();
export type BuildingView = z.infer<typeof buildingView>;

export const householdView = z.object({
  id: z.number(), gridId: z.string(), buildingId: z.number(), unit: z.string().nullable(), room: z.string(), address: z.string(),
  kind: z.enum(HOUSEHOLD_KINDS), note: z.string().nullable(), residents: z.number(), ...stamped,
}).strict();
export type HouseholdView = z.infer<typeof householdView>;

export const residentView = z.object({
  id: z.number(), gridId: z.string(), householdId: z.number(), address: z.string(),
  name: z.string(), gender: z.enum(GENDERS), birth: z.string(), idNumber: z.string().nullable(), phone: z.string().nullable(),
  relation: z.enum(RELATIONS), residence: z.enum(RESIDENCE_STATUSES), tags: z.array(z.enum(RESIDENT_TAG_CODES)),
  emergencyContact: emergencyContact.nullable(), mobility: z.array(z.enum(MOBILITY_CODES)), mobilityNote: z.string().nullable(),
  consent: z.array(z.enum(CONSENT_PURPOSES)), consentRecordedBy: z.string().nullable(), consentRecordedAt: z.string().nullable(),
  ...stamped,
}).strict();
export type ResidentView = z.infer<typeof residentView>;

export const gridSummaryView = z.object({
  gridId: z.string(), buildings: z.number(), households: z.number(), residents: z.number(),
  /** Residents per key-population tag (staff only: the wall gets guarded counts). */
  tags: z.record(z.string(), z.number()),
}).strict();
export type GridSummaryView = z.infer<typeof gridSummaryView>;

const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() }).strict();
export const buildingsAnswer = page(buildingView);
export const householdsAnswer = page(householdView);
export const residentsAnswer = page(residentView);
export const gridsAnswer = z.object({ items: z.array(gridSummaryView) }).strict();

/** One row of an import as the preview shows it. */
export const importRowView = z.object({
  row: z.number(), gridId: z.string(), address: z.string(), unit: z.string().nullable(), room: z.string(), name: z.string(),
  tags: z.array(z.enum(RESIDENT_TAG_CODES)),
  /** Whether the building and the household exist already (the row joins them) or are made. */
  newBuilding: z.boolean(), newHousehold: z.boolean(),
}).strict();
export type ImportRowView = z.infer<typeof importRowView>;
export const importAnswer = z.object({
  rows: z.array(importRowView), saved: z.boolean(),
  buildings: z.number(), households: z.number(), residents: z.number(),
}).strict();
export type ImportAnswer = z.infer<typeof importAnswer>;
