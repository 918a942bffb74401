/**
 * The pure rules of organizations and social work: the 统一社会信用代码 check catches the typos
 * staff make, numbers are formatted as printed, statuses go only where the tables say, and the
 * schemas refuse what would make a record ambiguous.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  CREDIT_CODE_ALPHABET, ORG_STATUSES, ORG_TRANSITIONS, PROJECT_STATUSES, PROJECT_TRANSITIONS, WORKER_STATUSES, WORKER_TRANSITIONS,
  caseCode, createProjectBody, creditCodeCheck, isCalendarDate, isValidCreditCode, projectCode, recordServiceBody, registerOrgBody,
} from '../../shared/orgs.ts';

/** 17 characters shaped like the start of a credit code: authority and type, a division, an organization code. */
const first17 = fc.tuple(
  fc.array(fc.constantFrom(...CREDIT_CODE_ALPHABET), { minLength: 2, maxLength: 2 }),
  fc.array(fc.constantFrom(...'0123456789'), { minLength: 6, maxLength: 6 }),
  fc.array(fc.constantFrom(...CREDIT_CODE_ALPHABET), { minLength: 9, maxLength: 9 }),
).map(([a, b, c]) => [...a, ...b, ...c].join(''));
const validCode = first17.map((s) => s + creditCodeCheck(s)!);

describe('the 统一社会信用代码 check', () => {
  it('accepts published codes and the codes it completes', () => {
    expect(isValidCreditCode('91350100M000100Y43')).toBe(true);
    expect(isValidCreditCode('91110000600037341L')).toBe(true);
    fc.assert(fc.property(validCode, (code) => isValidCreditCode(code)));
  });

  it('catches any single character mistyped', () => {
    fc.assert(fc.property(validCode, fc.nat(17), fc.constantFrom(...CREDIT_CODE_ALPHABET), (code, i, c) => {
      fc.pre(code[i] !== c);
      return !isValidCreditCode(code.slice(0, i) + c + code.slice(i + 1));
    }));
  });

  it('catches two different neighbours swapped among the first 17 characters', () => {
    fc.assert(fc.property(validCode, fc.nat(15), (code, i) => {
      fc.pre(code[i] !== code[i + 1]);
      return !isValidCreditCode(code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2));
    }));
  });

  it('refuses the letters the alphabet leaves out (I, O, S, V, Z), lower case and other lengths', () => {
    const good = '91350100M000100Y43';
    for (const bad of ['I', 'O', 'S', 'V', 'Z']) expect(isValidCreditCode(good.slice(0, 10) + bad + good.slice(11))).toBe(false);
    expect(isValidCreditCode(good.toLowerCase())).toBe(false);
    expect(isValidCreditCode(good.slice(0, 17))).toBe(false);
    expect(isValidCreditCode(`${good}0`)).toBe(false);
    expect(creditCodeCheck('91350100M000100Y')).toBeNull();
  });

  it('is required of a registered body, upper-cased, and optional for a resident group', () => {
    const base = { name: '阳光助残服务社', contactName: '李敏', contactPhone: '13900001111' };
    expect(registerOrgBody.parse({ ...base, kind: 'social_org', registrationNo: ' 91350100m000100y43 ' }).registrationNo).toBe('91350100M000100Y43');
    expect(registerOrgBody.safeParse({ ...base, kind: 'enterprise' }).success).toBe(false);
    expect(registerOrgBody.safeParse({ ...base, kind: 'resident_group' }).success).toBe(true);
    expect(registerOrgBody.safeParse({ ...base, kind: 'resident_group', registrationNo: '西湖备2025-03' }).success).toBe(true);
    expect(registerOrgBody.safeParse({ ...base, kind: 'resident_group', registrationNo: '91350100M000100Y44' }).success).toBe(false);
  });
});

describe('numbers and dates', () => {
  it('prints project and case numbers as XM-2026-0001 and GA-2026-0012', () => {
    expect(projectCode(2026, 1)).toBe('XM-2026-0001');
    expect(caseCode(2026, 12)).toBe('GA-2026-0012');
    expect(projectCode(2027, 12345)).toBe('XM-2027-12345');
  });

  it('knows which calendar dates exist', () => {
    expect(isCalendarDate('2026-02-28')).toBe(true);
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(isCalendarDate('2026-13-01')).toBe(false);
    expect(isCalendarDate('2026-3-1')).toBe(false);
  });
});

describe('status transitions', () => {
  it.each([
    ['organization', ORG_STATUSES, ORG_TRANSITIONS, ['deregistered']],
    ['social worker', WORKER_STATUSES, WORKER_TRANSITIONS, ['left']],
    ['project', PROJECT_STATUSES, PROJECT_TRANSITIONS, ['completed', 'cancelled']],
  ] as const)('%s: every status has its exits, only known ones, never to itself; the final ones have none', (_, statuses, table, finals) => {
    const all: readonly string[] = statuses;
    expect(Object.keys(table).sort()).toEqual([...statuses].sort());
    for (const [from, to] of Object.entries(table) as [string, readonly string[]][]) {
      for (const s of to) expect(all).toContain(s);
      expect(to).not.toContain(from);
      expect(to.length === 0).toBe((finals as readonly string[]).includes(from));
    }
  });

  it('only lets a project complete after it ran', () => {
    expect(PROJECT_TRANSITIONS.planned).not.toContain('completed');
    expect(PROJECT_TRANSITIONS.active).toContain('completed');
  });
});

describe('the bodies', () => {
  const service = { kind: 'visit', category: 'daily_care', content: '入户探访', startedAt: '2026-03-10T09:00:00+08:00', endedAt: '2026-03-10T10:00:00+08:00' };

  it('wants exactly one provider for a service', () => {
    const issues = (v: unknown) => (recordServiceBody.safeParse(v).error?.issues ?? []).map((i) => i.path.join('.'));
    expect(issues({ ...service })).toEqual(['socialWorkerId']);
    expect(issues({ ...service, socialWorkerId: 1, orgId: 2 })).toEqual(['socialWorkerId']);
    expect(issues({ ...service, socialWorkerId: 1 })).toEqual([]);
    expect(issues({ ...service, orgId: 2 })).toEqual([]);
  });

  it('counts one beneficiary unless told, and wants a case for a case session', () => {
    expect(recordServiceBody.parse({ ...service, orgId: 1 }).beneficiaries).toBe(1);
    expect(recordServiceBody.safeParse({ ...service, orgId: 1, kind: 'case_session' }).error?.issues[0]?.path).toEqual(['caseId']);
  });

  it('refuses a service that ends before it starts or lasts more than a day', () => {
    const bad = (over: object) => recordServiceBody.safeParse({ ...service, orgId: 1, ...over }).error?.issues[0]?.path;
    expect(bad({ endedAt: '2026-03-10T08:59:59+08:00' })).toEqual(['endedAt']);
    expect(bad({ endedAt: '2026-03-11T09:00:01+08:00' })).toEqual(['endedAt']);
    expect(bad({ startedAt: '1999-12-31T23:00:00+08:00' })).toEqual(['startedAt']);
    expect(bad({ endedAt: '2026-03-10T10:00:00' })).toEqual(['endedAt']);
  });

  it('wants a project run by someone, in whole fen, over a period that does not end before it starts', () => {
    const p = { name: '助餐', category: 'meals', funding: 'donor', budgetCents: 100, startsOn: '2026-03-01', endsOn: '2026-03-01' };
    expect(createProjectBody.safeParse({ ...p, orgId: 1 }).success).toBe(true);
    expect(createProjectBody.safeParse({ ...p, socialWorkerId: 1 }).success).toBe(true);
    expect(createProjectBody.safeParse(p).error?.issues[0]?.path).toEqual(['orgId']);
    expect(createProjectBody.safeParse({ ...p, orgId: 1, budgetCents: 1.5 }).error?.issues[0]?.path).toEqual(['budgetCents']);
    expect(createProjectBody.safeParse({ ...p, orgId: 1, endsOn: '2026-02-28' }).error?.issues[0]?.path).toEqual(['endsOn']);
    expect(createProjectBody.safeParse({ ...p, orgId: 1, funding: 'lottery' }).error?.issues[0]?.path).toEqual(['funding']);
  });
});
