import { describe, it, expect } from 'vitest';
import {
  CATEGORIES,
  CATEGORY_CODES,
  SOURCES,
  URGENCIES,
  categoryOf,
  isSubcategoryOf,
  timeLimitFor,
} from '../../shared/taxonomy.ts';

describe('the event taxonomy', () => {
  it('includes the categories DESIGN §1 names', () => {
    expect(CATEGORIES.map((c) => c.zh)).toEqual(expect.arrayContaining([
      '市容环境', '公共设施', '治安隐患', '消防安全', '矛盾纠纷', '民生服务', '特殊人群关爱', '突发事件',
    ]));
  });

  it.each(CATEGORIES.map((c) => [c.code, c] as const))('labels %s and each of its sub-categories in Chinese and English', (_code, c) => {
    expect(c.zh.trim()).not.toBe('');
    expect(c.en.trim()).not.toBe('');
    expect(c.zh).toMatch(/[\u4e00-\u9fff]/);
    expect(c.subcategories.length).toBeGreaterThan(0);
    for (const sub of c.subcategories) {
      expect(sub.zh.trim(), sub.code).not.toBe('');
      expect(sub.en.trim(), sub.code).not.toBe('');
      expect(sub.zh, sub.code).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('gives every category a distinct code, label and chart colour', () => {
    for (const key of ['code', 'zh', 'en', 'color'] as const) {
      const values = CATEGORIES.map((c) => c[key]);
      expect(new Set(values).size, key).toBe(values.length);
    }
    for (const c of CATEGORIES) expect(c.color).toMatch(/^#[0-9a-f]{6}$/i);
  });

  it('never repeats a sub-category code within a category or across categories', () => {
    const all = CATEGORIES.flatMap((c) => c.subcategories.map((s) => s.code));
    expect(new Set(all).size).toBe(all.length);
    for (const c of CATEGORIES) {
      const labels = c.subcategories.map((s) => s.zh);
      expect(new Set(labels).size, c.code).toBe(labels.length);
    }
  });

  it('exposes the category codes in the same order as the categories', () => {
    expect(CATEGORY_CODES).toEqual(CATEGORIES.map((c) => c.code));
    for (const code of CATEGORY_CODES) expect(categoryOf(code)?.code).toBe(code);
    expect(categoryOf('nonsense')).toBeUndefined();
  });

  it('knows which sub-category belongs to which category', () => {
    expect(isSubcategoryOf('environment', 'garbage')).toBe(true);
    expect(isSubcategoryOf('fire', 'ebike_charging')).toBe(true);
    expect(isSubcategoryOf('fire', 'garbage')).toBe(false);
    expect(isSubcategoryOf('environment', 'GARBAGE')).toBe(false);
    expect(isSubcategoryOf('nonsense', 'garbage')).toBe(false);
    expect(isSubcategoryOf('environment', '')).toBe(false);
    for (const c of CATEGORIES) {
      for (const s of c.subcategories) {
        expect(isSubcategoryOf(c.code, s.code)).toBe(true);
        for (const other of CATEGORIES) if (other !== c) expect(isSubcategoryOf(other.code, s.code)).toBe(false);
      }
    }
  });

  it('lists the five report sources of DESIGN §1', () => {
    expect([...SOURCES].sort()).toEqual(['assigned', 'hotline', 'patrol', 'resident', 'sensor']);
  });
});

describe('time limits', () => {
  const cases = CATEGORIES.flatMap((c) => URGENCIES.map((u) => [c.code, u] as const));

  it.each(cases)('gives %s (%s) a positive whole number of dispatch minutes and handling hours', (code, urgency) => {
    const limit = timeLimitFor(code, urgency);
    expect(Number.isInteger(limit.dispatchMinutes)).toBe(true);
    expect(limit.dispatchMinutes).toBeGreaterThan(0);
    expect(limit.handleHours).toBeGreaterThan(0);
    expect(Number.isFinite(limit.handleHours)).toBe(true);
  });

  it.each(CATEGORIES.map((c) => [c.code] as const))('never gives a more urgent %s event more time than a less urgent one', (code) => {
    const normal = timeLimitFor(code, 'normal');
    const urgent = timeLimitFor(code, 'urgent');
    const critical = timeLimitFor(code, 'critical');
    expect(critical.dispatchMinutes).toBeLessThanOrEqual(urgent.dispatchMinutes);
    expect(urgent.dispatchMinutes).toBeLessThanOrEqual(normal.dispatchMinutes);
    expect(critical.handleHours).toBeLessThanOrEqual(urgent.handleHours);
    expect(urgent.handleHours).toBeLessThanOrEqual(normal.handleHours);
  });

  it('asks for dispatch well before the handling deadline', () => {
    for (const [code, urgency] of cases) {
      const limit = timeLimitFor(code, urgency);
      expect(limit.dispatchMinutes, `${code}/${urgency}`).toBeLessThan(limit.handleHours * 60);
    }
  });

  it('gives emergencies the tightest limits of all', () => {
    for (const urgency of URGENCIES) {
      const emergency = timeLimitFor('emergency', urgency);
      for (const c of CATEGORIES) {
        expect(emergency.handleHours).toBeLessThanOrEqual(timeLimitFor(c.code, urgency).handleHours);
        expect(emergency.dispatchMinutes).toBeLessThanOrEqual(timeLimitFor(c.code, urgency).dispatchMinutes);
      }
    }
  });

  it('falls back to the standard limits for a category it does not know', () => {
    expect(timeLimitFor('nonsense', 'normal')).toEqual({ dispatchMinutes: 120, handleHours: 72 });
    expect(timeLimitFor('nonsense', 'critical')).toEqual(timeLimitFor('environment', 'critical'));
  });
});
