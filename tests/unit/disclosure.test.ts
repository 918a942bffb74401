/**
 * Small numbers (小数抑制), the pure half: which counts a public view withholds, how a withheld
 * count reads in a line of text, which records could single a key population's resident out,
 * and which kinds of grid event are about one vulnerable resident.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  SMALL_COUNT_MIN, countText, guardCount, isWithheld, singlesOut, type GuardedCount,
} from '../../shared/disclosure.ts';
import { CATEGORIES, categoryOf, isProtectedEvent, subcategoryLabel } from '../../shared/taxonomy.ts';
import { POPULATION_CODES } from '../../shared/subjects.ts';

describe('guardCount', () => {
  it('is 3, the floor statistical offices use', () => {
    expect(SMALL_COUNT_MIN).toBe(3);
  });

  it('keeps 0 and every count from SMALL_COUNT_MIN up, and withholds 1 to SMALL_COUNT_MIN − 1', () => {
    fc.assert(
      fc.property(fc.nat({ max: 1_000_000 }), (n) => {
        const g = guardCount(n);
        if (n === 0 || n >= SMALL_COUNT_MIN) expect(g).toBe(n);
        else expect(g).toEqual({ lt: SMALL_COUNT_MIN });
      }),
    );
  });

  it('at the edges', () => {
    expect(guardCount(0)).toBe(0);
    expect(guardCount(1)).toEqual({ lt: 3 });
    expect(guardCount(2)).toEqual({ lt: 3 });
    expect(guardCount(3)).toBe(3);
    expect(guardCount(4)).toBe(4);
  });

  it('never lets a withheld count be told apart from another: 1 and 2 give the same value', () => {
    expect(JSON.stringify(guardCount(1))).toBe(JSON.stringify(guardCount(2)));
  });
});

describe('isWithheld and countText', () => {
  it('a withheld count is an object, reads "<3"; a published one is the number itself', () => {
    fc.assert(
      fc.property(fc.nat({ max: 1_000_000 }), (n) => {
        const g = guardCount(n);
        const small = n > 0 && n < SMALL_COUNT_MIN;
        expect(isWithheld(g)).toBe(small);
        expect(countText(g)).toBe(small ? `<${SMALL_COUNT_MIN}` : n);
      }),
    );
  });

  it('reads any bound it is given, and is false for numbers, zero included', () => {
    expect(countText({ lt: 5 })).toBe('<5');
    expect(isWithheld({ lt: 3 })).toBe(true);
    expect(isWithheld(0)).toBe(false);
    expect(isWithheld(2 as GuardedCount)).toBe(false); // a raw number is not a withheld count, even when small
    expect(countText(0)).toBe(0);
    expect(countText(17)).toBe(17);
  });
});

describe('singlesOut', () => {
  const someOf = fc.uniqueArray(fc.constantFrom(...POPULATION_CODES), { minLength: 1 });

  it('is true for a record with a key population and fewer than SMALL_COUNT_MIN people', () => {
    fc.assert(
      fc.property(someOf, fc.nat({ max: 10_000 }), (pops, people) => {
        expect(singlesOut(pops, people)).toBe(people < SMALL_COUNT_MIN);
      }),
    );
  });

  it('is false without a population, however few the people', () => {
    for (const none of [[], null, undefined]) {
      for (const people of [0, 1, 2, 3, 50]) expect(singlesOut(none, people)).toBe(false);
    }
  });

  it('at the edges', () => {
    expect(singlesOut(['veteran'], 1)).toBe(true);
    expect(singlesOut(['veteran'], 2)).toBe(true);
    expect(singlesOut(['veteran'], 3)).toBe(false);
    expect(singlesOut(['elderly_alone', 'disabled'], 12)).toBe(false);
  });
});

describe('isProtectedEvent over the taxonomy', () => {
  const care = categoryOf('care')!;

  it('every event of the care category, whatever its sub-category (or none, or an unknown one)', () => {
    expect(care.subcategories.length).toBeGreaterThan(0);
    for (const s of care.subcategories) expect(isProtectedEvent('care', s.code), s.code).toBe(true);
    expect(isProtectedEvent('care', null)).toBe(true);
    expect(isProtectedEvent('care', 'no_such_sub')).toBe(true);
  });

  it('social assistance, medical help and family disputes, not their siblings', () => {
    expect(isProtectedEvent('livelihood', 'subsidy')).toBe(true);
    expect(isProtectedEvent('livelihood', 'medical')).toBe(true);
    expect(isProtectedEvent('dispute', 'family')).toBe(true);

    expect(isProtectedEvent('livelihood', 'water_power')).toBe(false);
    expect(isProtectedEvent('livelihood', 'paperwork')).toBe(false);
    expect(isProtectedEvent('dispute', 'neighbour')).toBe(false);
    expect(isProtectedEvent('dispute', 'property')).toBe(false);
    expect(isProtectedEvent('dispute', 'labour')).toBe(false);
    // The category alone is not protected: without the sub-category, an ordinary event.
    expect(isProtectedEvent('livelihood', null)).toBe(false);
    expect(isProtectedEvent('dispute', null)).toBe(false);
  });

  it('a protected sub-category protects only inside its own category', () => {
    expect(isProtectedEvent('environment', 'family')).toBe(false);
    expect(isProtectedEvent('dispute', 'subsidy')).toBe(false);
    expect(isProtectedEvent('livelihood', 'family')).toBe(false);
  });

  it('exactly the care category and the three flagged sub-categories, nothing else in the whole taxonomy', () => {
    const got: string[] = [];
    for (const c of CATEGORIES) {
      for (const s of c.subcategories) if (isProtectedEvent(c.code, s.code)) got.push(`${c.code}.${s.code}`);
      if (isProtectedEvent(c.code, null)) got.push(`${c.code}.*`);
    }
    expect(got.sort()).toEqual([
      'care.*', ...care.subcategories.map((s) => `care.${s.code}`), 'dispute.family', 'livelihood.medical', 'livelihood.subsidy',
      // A household on an incident's accounted-for board that needs help (server/emergency/board.ts).
      'emergency.needs_help',
    ].sort());
  });

  it('an unknown category is not protected (and does not throw)', () => {
    expect(isProtectedEvent('municipal', null)).toBe(false);
    expect(isProtectedEvent('municipal', 'family')).toBe(false);
    expect(isProtectedEvent('', '')).toBe(false);
  });
});

describe('subcategoryLabel', () => {
  it('the sub-category’s Chinese label', () => {
    expect(subcategoryLabel('care', 'elderly_alone')).toBe('独居老人');
    expect(subcategoryLabel('livelihood', 'subsidy')).toBe('社会救助');
    expect(subcategoryLabel('dispute', 'family')).toBe('家庭纠纷');
    for (const c of CATEGORIES) for (const s of c.subcategories) expect(subcategoryLabel(c.code, s.code)).toBe(s.zh);
  });

  it('falls back to the category’s label without a known sub-category', () => {
    expect(subcategoryLabel('care', null)).toBe('特殊人群关爱');
    expect(subcategoryLabel('care', 'no_such_sub')).toBe('特殊人群关爱');
    // A sub-category of another category is not this one's.
    expect(subcategoryLabel('care', 'family')).toBe('特殊人群关爱');
  });

  it('falls back to the sub-category code, then the category code, for an unknown category', () => {
    expect(subcategoryLabel('municipal', 'potholes')).toBe('potholes');
    expect(subcategoryLabel('municipal', null)).toBe('municipal');
  });
});
