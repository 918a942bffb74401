/**
 * Reading a register sheet (one row per resident: where they live, who they are, their tags,
 * contact and consent) and writing its template. Pure: nothing here writes the database. The
 * cells come from `sheetCells` (server/community/sheets.ts: XLSX, or CSV in UTF-8 or GBK). Every
 * problem names its row as a spreadsheet numbers it (the header is row 1), the column by its
 * header, and what is wrong: `row 4.idNumber: row 4 (王芳) 身份证号: must be an 18-character …`.
 */
import { z } from 'zod';
import type { FieldIssue } from '../../shared/errors.ts';
import type { Locale } from '../../shared/i18n.ts';
import {
  CONSENT_PURPOSES, GENDERS, HOUSEHOLD_KINDS, LABELS, MOBILITY_NEEDS, RELATIONS, RESIDENCE_STATUSES, RESIDENT_TAGS, createResidentBody,
  type ConsentPurpose, type HouseholdKind, type MobilityNeed, type ResidentTag,
} from '../../shared/register.ts';
import { singleLineText } from '../../shared/text.ts';
import { zodIssues } from '../errors.ts';
import type { SheetColumn } from '../http/sheet.ts';

/** At most this many problems are listed: a file wrong throughout says so in its first lines. */
const MAX_ISSUES = 30;
export const MAX_REGISTER_ROWS = 5000;

/** Each column: its key, its header in each language, and the other names a header may go by. */
const COLUMNS = [
  { key: 'grid', zh: '网格', en: 'grid', also: ['网格编号', 'gridid'], required: true },
  { key: 'address', zh: '标准地址', en: 'address', also: ['楼栋', '地址'], required: true },
  { key: 'unit', zh: '单元', en: 'unit', also: [], required: false },
  { key: 'room', zh: '房号', en: 'room', also: ['门牌号', '户号'], required: true },
  { key: 'kind', zh: '住房类型', en: 'household kind', also: ['kind', '户类型'], required: false },
  { key: 'name', zh: '姓名', en: 'name', also: [], required: true },
  { key: 'gender', zh: '性别', en: 'gender', also: [], required: true },
  { key: 'birth', zh: '出生', en: 'birth', also: ['出生日期', '出生年份'], required: true },
  { key: 'idNumber', zh: '身份证号', en: 'ID number', also: ['身份证', 'idnumber'], required: false },
  { key: 'phone', zh: '电话', en: 'phone', also: ['手机', '联系电话'], required: false },
  { key: 'relation', zh: '与户主关系', en: 'relation', also: ['关系'], required: false },
  { key: 'residence', zh: '居住状态', en: 'residence', also: ['人户状态'], required: false },
  { key: 'tags', zh: '重点人群', en: 'tags', also: ['标签'], required: false },
  { key: 'emergencyName', zh: '紧急联系人', en: 'emergency contact', also: [], required: false },
  { key: 'emergencyPhone', zh: '紧急联系电话', en: 'emergency phone', also: [], required: false },
  { key: 'emergencyRelation', zh: '紧急联系人关系', en: 'emergency relation', also: [], required: false },
  { key: 'mobility', zh: '疏散需要', en: 'evacuation needs', also: ['行动情况'], required: false },
  { key: 'consent', zh: '共享同意', en: 'consent', also: [], required: false },
] as const;
type Key = (typeof COLUMNS)[number]['key'];
/** A schema's field as the column it came from. */
const FIELD_COLUMN: Record<string, Key> = {
  gridId: 'grid', 'emergencyContact.name': 'emergencyName', 'emergencyContact.phone': 'emergencyPhone', 'emergencyContact.relation': 'emergencyRelation',
};
const normal = (s: string) => s.trim().toLowerCase().replace(/[\s_]/g, '');

/** The words a cell may use for a code: the code itself, its Chinese and English labels. */
const words = <C extends string>(list: readonly { code: C; zh: string; en: string }[]) => {
  const m = new Map<string, C>();
  for (const x of list) for (const w of [x.code, x.zh, x.en]) m.set(normal(w), x.code);
  return m;
};
const KINDS = words<HouseholdKind>(HOUSEHOLD_KINDS.map((code) => ({ code, ...LABELS.kind[code] })));
const TAGS = words<ResidentTag>(RESIDENT_TAGS);
const MOBILITY = words<MobilityNeed>(MOBILITY_NEEDS);
const CONSENT = words<ConsentPurpose>(CONSENT_PURPOSES.map((code) => ({ code, ...LABELS.consent[code] })));
const GENDER = words(GENDERS.map((code) => ({ code, ...LABELS.gender[code] })));
const RELATION = words(RELATIONS.map((code) => ({ code, ...LABELS.relation[code] })));
const RESIDENCE = words(RESIDENCE_STATUSES.map((code) => ({ code, ...LABELS.residence[code] })));

/** A list cell (、 ， , ; / or spaces between items) as codes; an unknown word is a problem naming it. */
function listOf<C extends string>(cell: string, vocab: Map<string, C>): { codes: C[]; unknown: string[] } {
  const items = cell.split(/[、，,;；/\s]+/).map((s) => s.trim()).filter(Boolean);
  const codes: C[] = [];
  const unknown: string[] = [];
  for (const it of items) {
    const c = vocab.get(normal(it));
    if (c) codes.push(c);
    else unknown.push(it);
  }
  return { codes, unknown };
}

export interface RegisterRow {
  row: number;
  gridId: string;
  address: string;
  unit: string | null;
  room: string;
  kind: HouseholdKind;
  /** The resident, as the add form would send it (without the household, which the import finds or makes). */
  resident: Omit<z.output<typeof createResidentBody>, 'householdId'>;
}

const place = z.object({
  gridId: z.string().min(1, 'required').max(40),
  address: singleLineText(80).min(1, 'required'),
  unit: singleLineText(10),
  room: singleLineText(20).min(1, 'required'),
}).strict();
const resident = createResidentBody.omit({ householdId: true });

/** The rows of a register sheet's cells, or every problem (at most MAX_ISSUES), each naming its row and column. */
export function readRegister(cells: string[][]): { rows: RegisterRow[]; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const header = (cells[0] ?? []).map(normal);
  const col = {} as Record<Key, number>;
  for (const c of COLUMNS) col[c.key] = header.findIndex((h) => [c.key, c.zh, c.en, ...c.also].some((n) => normal(n) === h));
  const missing = COLUMNS.filter((c) => c.required && col[c.key] < 0);
  if (missing.length) {
    return { rows: [], issues: [{ field: 'file', problem: `row 1 must name the columns; missing: ${missing.map((c) => `${c.zh} (${c.en})`).join(', ')}` }] };
  }
  const data = cells.slice(1);
  if (data.length > MAX_REGISTER_ROWS) return { rows: [], issues: [{ field: 'file', problem: `more than ${MAX_REGISTER_ROWS} rows` }] };
  const rows: RegisterRow[] = [];
  data.forEach((cellsOfRow, i) => {
    if (issues.length >= MAX_ISSUES) return;
    if (cellsOfRow.every((c) => !c?.trim())) return;
    const n = i + 2;
    const cell = (k: Key) => (col[k] < 0 ? '' : (cellsOfRow[col[k]] ?? '').trim());
    const who = cell('name') ? ` (${cell('name')})` : '';
    const problem = (field: string, p: string) => {
      const k = (FIELD_COLUMN[field] ?? field) as string;
      const c = COLUMNS.find((x) => x.key === k);
      issues.push({ field: `row ${n}.${k}`, problem: `row ${n}${who} ${c ? c.zh : k}: ${p}` });
    };
    const before = issues.length;
    const code = <C extends string>(k: Key, vocab: Map<string, C>, fallback?: C): C | undefined => {
      const v = cell(k);
      if (!v) {
        if (fallback === undefined) problem(k, 'required');
        return fallback;
      }
      const c = vocab.get(normal(v));
      if (!c) problem(k, `"${v}" is not one of ${[...new Set(vocab.values())].join(', ')}`);
      return c;
    };
    const list = <C extends string>(k: Key, vocab: Map<string, C>): C[] => {
      const { codes, unknown } = listOf(cell(k), vocab);
      if (unknown.length) problem(k, `unknown: ${unknown.join(', ')}`);
      return codes;
    };
    const p = place.safeParse({ gridId: cell('grid'), address: cell('address'), unit: cell('unit'), room: cell('room') });
    if (!p.success) for (const x of zodIssues(p.error)) problem(x.field, x.problem);
    const kind = code('kind', KINDS, 'owner');
    const gender = code('gender', GENDER);
    const relation = code('relation', RELATION, 'other');
    const residence = code('residence', RESIDENCE, 'resident');
    const tags = list('tags', TAGS);
    const mobility = list('mobility', MOBILITY);
    const consent = list('consent', CONSENT);
    const contact = [cell('emergencyName'), cell('emergencyPhone'), cell('emergencyRelation')];
    if (contact.some(Boolean) && !contact.every(Boolean)) problem('emergencyName', 'an emergency contact needs a name, a phone and a relation');
    const r = resident.safeParse({
      name: cell('name'), gender: gender ?? 'male', birth: cell('birth'), idNumber: cell('idNumber') || undefined, phone: cell('phone') || undefined,
      relation: relation ?? 'other', residence: residence ?? 'resident', tags, mobility, consent,
      emergencyContact: contact.every(Boolean) ? { name: contact[0], phone: contact[1], relation: contact[2] } : null,
    });
    if (!r.success) for (const x of zodIssues(r.error)) problem(x.field, x.problem);
    if (issues.length > before || !p.success || !r.success) return;
    rows.push({ row: n, gridId: p.data.gridId, address: p.data.address, unit: p.data.unit || null, room: p.data.room, kind: kind!, resident: r.data });
  });
  if (!rows.length && !issues.length) issues.push({ field: 'file', problem: 'no residents below the header row' });
  return { rows, issues };
}

/** The template's columns, headed in `locale`, with two example rows. */
export function templateColumns(locale: Locale): SheetColumn<Record<Key, string>>[] {
  return COLUMNS.map((c) => ({ header: locale === 'en' ? c.en : c.zh, kind: 'text', width: c.key === 'address' ? 20 : 12, value: (r) => r[c.key] }));
}

export const TEMPLATE_ROWS: Record<Key, string>[] = [
  {
    grid: 'G01', address: '幸福路12号3栋', unit: '2', room: '302', kind: '自住', name: '欧阳建国', gender: '男', birth: '1948', idNumber: '',
    phone: '13800001234', relation: '户主', residence: '常住', tags: '独居老人、残疾人', emergencyName: '欧阳明', emergencyPhone: '13900005678',
    emergencyRelation: '儿子', mobility: '需轮椅', consent: '关爱服务、避难协助',
  },
  {
    grid: 'G01', address: '幸福路12号3栋', unit: '2', room: '401', kind: '租住', name: '阿依古丽·买买提', gender: '女', birth: '1992-05-17', idNumber: '',
    phone: '', relation: '户主', residence: '暂住', tags: '孕产妇', emergencyName: '', emergencyPhone: '', emergencyRelation: '', mobility: '', consent: '社区通知',
  },
];
