/**
 * The tablet's field logs and register, pure (client/tablet/patrol.ts, register.ts, records.ts and
 * the outbox's rules for them): a patrol ends as one body the server takes, a visit and a need
 * raised from it are what `/visits` and `/needs` accept, a correction sends only what changed with
 * the version seen, two corrections made offline chain their versions, and a household shows the
 * worker's unsent changes.
 */
import { describe, expect, it } from 'vitest';
import { logPatrolBody, logVisitBody, MAX_PATROL_NOTES } from '../../shared/fieldwork.ts';
import { createResidentBody, updateResidentBody, type ResidentView } from '../../shared/register.ts';
import { raiseNeedBody } from '../../shared/needs.ts';
import { patrolBody, startPatrol, withNote, withoutNote } from '../../client/tablet/patrol.ts';
import {
  additionOf, blankResident, blankVisit, correctionOf, formOf, needBody, problemsOf, recordsOfHousehold, residentsNow, tagsOfHousehold, visitBody,
} from '../../client/tablet/register.ts';
import { needRecord, residentAddRecord, residentFixRecord, visitRecord } from '../../client/tablet/records.ts';
import { afterOutcome, bodyToSend, startSending, type OutboxEntry } from '../../client/tablet/outbox/machine.ts';

const T0 = Date.parse('2026-05-01T08:00:00+08:00');
const MIN = 60_000;

function resident(over: Partial<ResidentView> = {}): ResidentView {
  return {
    id: 7, gridId: 'G01', householdId: 3, address: '桂花路12号3栋2单元302室', name: '王秀英', gender: 'female', birth: '1941', idNumber: null,
    phone: '13812345678', relation: 'head', residence: 'resident', tags: ['elderly_alone'], emergencyContact: null, mobility: [], mobilityNote: null,
    consent: [], consentRecordedBy: null, consentRecordedAt: null, version: 4, createdAt: '', createdBy: 'demo', updatedAt: '', updatedBy: 'demo', ...over,
  };
}
const household = { id: 3, gridId: 'G01', address: '桂花路12号3栋2单元302室' };

describe('a patrol', () => {
  it('ends as one record the server takes, its notes in order with their times', () => {
    let p = startPatrol('wang', 'G01', ' 桂花路—3栋—地下车库 ', T0);
    p = withNote(p, '3栋楼道堆放纸箱', T0 + 5 * MIN);
    p = withNote(p, '   ', T0 + 6 * MIN);
    p = withNote(p, '地下车库一盏灯不亮', T0 + 20 * MIN);
    const body = patrolBody(p, '总体良好', T0 + 42 * MIN);
    expect(body.notes.map((n) => n.text)).toEqual(['3栋楼道堆放纸箱', '地下车库一盏灯不亮']);
    expect(body).toMatchObject({ gridId: 'G01', route: '桂花路—3栋—地下车库', endedAt: new Date(T0 + 42 * MIN).toISOString(), summary: '总体良好' });
    expect(logPatrolBody.safeParse(body).success).toBe(true);
    expect(Object.keys(body)).not.toContain('positions');
  });

  it('never ends before its last note, nor runs past 24 hours (left running overnight)', () => {
    let p = withNote(startPatrol('wang', 'G01', '', T0), '井盖松动', T0 + 10 * MIN);
    // The tablet's clock went back.
    expect(logPatrolBody.safeParse(patrolBody(p, '', T0 + 5 * MIN)).success).toBe(true);
    p = withNote(p, '第二天早上', T0 + 30 * 3_600_000);
    const body = patrolBody(p, '', T0 + 31 * 3_600_000);
    expect(Date.parse(body.endedAt) - T0).toBe(24 * 3_600_000);
    expect(logPatrolBody.safeParse(body).success).toBe(true);
  });

  it('takes no more notes than the server keeps, and lets one be taken back', () => {
    let p = startPatrol('wang', 'G01', '', T0);
    for (let i = 0; i < MAX_PATROL_NOTES + 3; i++) p = withNote(p, `看到 ${i}`, T0 + i * 1000);
    expect(p.notes).toHaveLength(MAX_PATROL_NOTES);
    expect(withoutNote(p, 0).notes[0]!.text).toBe('看到 1');
  });
});

describe('a visit and a need raised from it', () => {
  it('is the body /visits takes, naming the household and the resident met', () => {
    const v = { ...blankVisit(true), residentId: 7, safety: 'concern' as const, note: '老人独居，说最近腿脚不便', followUp: true };
    const body = visitBody(household, v, T0);
    expect(body).toMatchObject({ gridId: 'G01', householdId: 3, residentId: 7, kind: 'key_population', met: true, safety: 'concern', followUp: true });
    expect(logVisitBody.safeParse(body).success).toBe(true);
  });

  it('raises a need for the resident with their key-population tags, as /needs takes it', () => {
    const body = needBody(household, resident({ tags: ['elderly_alone', 'extreme_poverty'] }), {
      title: '需要助餐送餐', category: 'meals', urgency: 'high', description: '行动不便，做饭困难',
    });
    expect(body).toMatchObject({ raisedByKind: 'grid_worker', residentName: '王秀英', residentPhone: '13812345678', populations: ['elderly_alone'], gridId: 'G01' });
    expect(raiseNeedBody.safeParse(body).success).toBe(true);
  });

  it('shows a household as holding key populations by its residents\' tags', () => {
    expect(tagsOfHousehold([resident({ tags: ['disabled'] }), resident({ tags: ['elderly_alone', 'disabled'] })])).toEqual(['elderly_alone', 'disabled']);
    expect(tagsOfHousehold([resident({ tags: [] })])).toEqual([]);
  });
});

describe('a resident added or corrected', () => {
  it('sends only what changed, with the version seen, as the register takes it', () => {
    const r = residentsNow([resident()], 3, [])[0]!;
    expect(correctionOf(r, formOf(r))).toBeNull();
    const e = residentFixRecord('wang', { id: 7, name: '王秀英', version: 4 }, correctionOf(r, { ...formOf(r), phone: '0571 87654321' })!);
    expect(e.request).toMatchObject({ method: 'PATCH', path: '/register/residents/7', body: { phone: '0571 87654321' } });
    const body = bodyToSend(e, [e]);
    expect(body).toEqual({ phone: '0571 87654321', expectedVersion: 4 });
    expect(updateResidentBody.safeParse(body).success).toBe(true);
  });

  it('chains two corrections made offline: the second expects the version the first produced', () => {
    const first = residentFixRecord('wang', { id: 7, name: '王秀英', version: 4 }, { phone: '13900000000' });
    const second = { ...residentFixRecord('wang', { id: 7, name: '王秀英', version: 4 }, { residence: 'away' }), createdAt: new Date(Date.parse(first.createdAt) + 1).toISOString() };
    const received = afterOutcome(startSending(first), { type: 'answer', status: 200, body: { resident: { id: 7, version: 5 } } }, T0);
    expect(received.receipt).toMatchObject({ recordId: 7, version: 5, eventId: null });
    expect(bodyToSend(second, [received, second])).toEqual({ residence: 'away', expectedVersion: 5 });
    // Another resident's correction is not part of the chain.
    const other = residentFixRecord('wang', { id: 8, name: '李建国', version: 2 }, { phone: '13900000001' });
    expect(bodyToSend(other, [received, second, other])).toMatchObject({ expectedVersion: 2 });
  });

  it('shows a correction refused for a newer version with who changed it', () => {
    const e = residentFixRecord('wang', { id: 7, name: '王秀英', version: 4 }, { phone: '13900000000' });
    const body = { error: { code: 'error.version_conflict', message: 'resident 7 was changed by 陈晓 at …', changedBy: '陈晓', changedAt: '2026-05-01T09:00:00+08:00', version: 5 } };
    const out = afterOutcome(startSending(e), { type: 'answer', status: 409, body }, T0);
    expect(out.state).toBe('refused');
    expect(out.error).toMatchObject({ status: 409, code: 'error.version_conflict', details: { changedBy: '陈晓', version: 5 } });
  });

  it('checks a new resident before saving, and sends what the register takes', () => {
    const f = { ...blankResident(), name: '李小红', birth: '2019', relation: 'grandchild' as const, phone: ' 0571  87654321 ' };
    expect(problemsOf({ ...f, birth: '2999' })).toEqual(['birth']);
    expect(problemsOf({ ...f, phone: '12345' })).toEqual(['phone']);
    expect(problemsOf({ ...f, contactName: '李建国' })).toEqual(['contact', 'contactPhone']);
    expect(problemsOf(f)).toEqual([]);
    const body = additionOf(3, f);
    expect(body.phone).toBe('0571 87654321');
    expect(createResidentBody.safeParse(body).success).toBe(true);
  });

  it('shows a household with the worker\'s unsent additions and corrections on top', () => {
    const fix = residentFixRecord('wang', { id: 7, name: '王秀英', version: 4 }, { phone: '13900000000' });
    const add = residentAddRecord('wang', '李小红', additionOf(3, { ...blankResident(), name: '李小红', birth: '2019' }));
    const elsewhere = residentAddRecord('wang', '张三', additionOf(9, { ...blankResident(), name: '张三', birth: '1980' }));
    const shown = residentsNow([resident(), resident({ id: 9, householdId: 4 })], 3, [fix, add, elsewhere]);
    expect(shown.map((r) => [r.name, r.phone, r.pending])).toEqual([['王秀英', '13900000000', 'fix'], ['李小红', null, 'add']]);
    // Once received, the register as loaded again is shown as it is.
    const received: OutboxEntry = { ...fix, state: 'received' };
    expect(residentsNow([resident()], 3, [received])[0]).toMatchObject({ phone: '13812345678', pending: null });
    const visit = visitRecord('wang', '302', visitBody(household, blankVisit(false), T0));
    const need = needRecord('wang', 3, { title: 'x' });
    expect(recordsOfHousehold([fix, add, elsewhere, visit, need], 3, [7]).map((e) => e.kind)).toEqual(['resident_fix', 'resident_add', 'visit', 'need']);
  });
});
