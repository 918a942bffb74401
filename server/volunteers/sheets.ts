/**
 * The coordinator's ledgers out (台账导出): the registry and a volunteer's service records as
 * sheets (server/http/sheet.ts writes them: UTF-8 with BOM, formula-injection safe, numbers
 * stay numbers, streamed), headed in the request's language from the desk's catalogue.
 */
import type { Locale } from '../../shared/i18n.ts';
import { zhCN, en } from '../../shared/i18n/console-volunteers.ts';
import type { SheetColumn } from '../http/sheet.ts';
import type { VolunteerRecord } from './record.ts';
import type { HistoryRecord } from './records.ts';

type Key = keyof typeof zhCN;
const head = (locale: Locale) => (key: Key) => (locale === 'en' ? en : zhCN)[key];

export const registrySheetName = (locale: Locale) => head(locale)('console.volunteers.export.sheet');
export const recordsSheetName = (locale: Locale) => head(locale)('console.volunteers.export.recordsSheet');

/** A volunteer with what the sheet shows beside them. */
export interface RegistryRow {
  v: VolunteerRecord;
  team: string | null;
  grid: string | null;
  hours: number;
  balance: number;
}

export function registryColumns(locale: Locale): SheetColumn<RegistryRow>[] {
  const h = head(locale);
  const status = (s: string) => h(`console.volunteers.status.${s}` as Key);
  const days = (d: number[]) => d.map((n) => h(`console.volunteers.day.${n}` as Key)).join(' ');
  return [
    { header: h('console.volunteers.col.id'), kind: 'number', width: 8, value: (r) => r.v.id },
    { header: h('console.volunteers.col.name'), kind: 'text', width: 12, value: (r) => r.v.name },
    { header: h('console.volunteers.col.phone'), kind: 'text', width: 14, value: (r) => r.v.phone },
    { header: h('console.volunteers.col.skills'), kind: 'text', width: 24, value: (r) => r.v.skills.join('、') },
    { header: h('console.volunteers.col.team'), kind: 'text', width: 16, value: (r) => r.team },
    { header: h('console.volunteers.col.grid'), kind: 'text', width: 14, value: (r) => r.grid },
    { header: h('console.volunteers.col.availability'), kind: 'text', width: 24,
      value: (r) => (r.v.availability ? `${days(r.v.availability.days)} ${r.v.availability.from}–${r.v.availability.to}` : null) },
    { header: h('console.volunteers.col.status'), kind: 'text', width: 8, value: (r) => status(r.v.status) },
    { header: h('console.volunteers.col.hours'), kind: 'number', width: 10, value: (r) => r.hours },
    { header: h('console.volunteers.col.balance'), kind: 'number', width: 10, value: (r) => r.balance },
    { header: h('console.volunteers.col.registeredAt'), kind: 'instant', width: 20, value: (r) => r.v.registeredAt },
  ];
}

/** A line of the service ledger: a record as issued, or one of its corrections. */
export interface RecordsRow {
  kind: 'record' | 'correction';
  record: HistoryRecord;
  at: number;
  hours: number;
  points: number;
  reason: string | null;
  note: string | null;
  by: string;
}

/** A volunteer's records in order, each followed by its corrections. */
export function recordsRows(records: HistoryRecord[], nameOf: (actor: string) => string): RecordsRow[] {
  return records.flatMap((r) => [
    { kind: 'record' as const, record: r, at: r.issuedAt, hours: r.hours, points: r.points, reason: null, note: null, by: nameOf(r.recordedBy) },
    ...r.corrections.map((c) => ({
      kind: 'correction' as const, record: r, at: c.at, hours: c.hours, points: c.points, reason: c.reason, note: c.note, by: nameOf(c.actor),
    })),
  ]);
}

export function recordsColumns(locale: Locale): SheetColumn<RecordsRow>[] {
  const h = head(locale);
  return [
    { header: h('console.volunteers.col.certificateNo'), kind: 'text', width: 18, value: (r) => r.record.certificateNo },
    { header: h('console.volunteers.col.kind'), kind: 'text', width: 8, value: (r) => h(`console.volunteers.kind.${r.kind}` as Key) },
    { header: h('console.volunteers.col.at'), kind: 'instant', width: 20, value: (r) => r.at },
    { header: h('console.volunteers.col.activity'), kind: 'text', width: 24, value: (r) => r.record.activityTitle },
    { header: h('console.volunteers.col.content'), kind: 'text', width: 30, value: (r) => r.record.content },
    { header: h('console.volunteers.col.hours'), kind: 'number', width: 8, value: (r) => r.hours },
    { header: h('console.volunteers.col.points'), kind: 'number', width: 8, value: (r) => r.points },
    { header: h('console.volunteers.col.reason'), kind: 'text', width: 14, value: (r) => (r.reason ? h(`console.volunteers.reason.${r.reason}` as Key) : null) },
    { header: h('console.volunteers.col.note'), kind: 'text', width: 30, value: (r) => r.note },
    { header: h('console.volunteers.col.by'), kind: 'text', width: 12, value: (r) => r.by },
  ];
}
