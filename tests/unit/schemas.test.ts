import { describe, it, expect } from 'vitest';
import { listEventsQuery, reportEventBody, transitionBody, subscribeRequest, actionParam } from '../../shared/schemas.ts';

const minimal = { category: 'environment', title: '楼道堆放杂物', gridId: 'grid-1' };

function issuePaths(result: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) {
  expect(result.success).toBe(false);
  return result.error!.issues.map((i) => i.path.join('.'));
}

describe('reporting an event', () => {
  it('accepts a minimal report and fills in normal urgency, a resident source and an empty description', () => {
    const r = reportEventBody.safeParse(minimal);
    expect(r.success).toBe(true);
    expect(r.data).toEqual({ ...minimal, urgency: 'normal', source: 'resident', description: '' });
  });

  it('accepts a full report from a patrol with a map pin and sub-category', () => {
    const body = {
      category: 'fire', subcategory: 'ebike_charging', urgency: 'urgent', source: 'patrol',
      title: '电动车楼道充电', description: '3幢1单元楼道', lat: 30.27, lng: 120.15,
      reporterName: '张三', reporterPhone: '+86 138-1234-5678', externalId: 'ext-1',
      reportedAt: '2026-11-22T08:30:00+08:00',
    };
    expect(reportEventBody.parse(body)).toEqual(body);
  });

  it('accepts an address alone as the location', () => {
    expect(reportEventBody.safeParse({ category: 'environment', title: '垃圾', address: '桂花苑3幢' }).success).toBe(true);
  });

  it('trims the title and refuses one that is only spaces', () => {
    expect(reportEventBody.parse({ ...minimal, title: '  垃圾  ' }).title).toBe('垃圾');
    expect(issuePaths(reportEventBody.safeParse({ ...minimal, title: '   ' }))).toContain('title');
  });

  it('refuses a field it does not know', () => {
    expect(issuePaths(reportEventBody.safeParse({ ...minimal, priority: 'high' }))).toEqual(['']);
  });

  it('refuses a category that is not in the taxonomy', () => {
    expect(issuePaths(reportEventBody.safeParse({ ...minimal, category: 'weather' }))).toContain('category');
  });

  it('refuses a sub-category of another category', () => {
    expect(issuePaths(reportEventBody.safeParse({ ...minimal, subcategory: 'ebike_charging' }))).toEqual(['subcategory']);
  });

  it('refuses a latitude without a longitude, and the other way round', () => {
    expect(issuePaths(reportEventBody.safeParse({ ...minimal, lat: 30.27 }))).toEqual(['lng']);
    expect(issuePaths(reportEventBody.safeParse({ ...minimal, lng: 120.15 }))).toEqual(['lat']);
  });

  it('refuses a report with no grid, no map pin and no address', () => {
    expect(issuePaths(reportEventBody.safeParse({ category: 'environment', title: '垃圾' }))).toEqual(['gridId']);
  });

  it('refuses coordinates off the globe', () => {
    expect(issuePaths(reportEventBody.safeParse({ ...minimal, lat: 91, lng: 120 }))).toContain('lat');
    expect(issuePaths(reportEventBody.safeParse({ ...minimal, lat: 30, lng: 181 }))).toContain('lng');
  });

  it('refuses an unknown urgency or source', () => {
    expect(issuePaths(reportEventBody.safeParse({ ...minimal, urgency: 'asap' }))).toContain('urgency');
    expect(issuePaths(reportEventBody.safeParse({ ...minimal, source: 'twitter' }))).toContain('source');
  });

  it('refuses a report time without an offset, which would be ambiguous', () => {
    expect(issuePaths(reportEventBody.safeParse({ ...minimal, reportedAt: '2026-11-22T08:30:00' }))).toContain('reportedAt');
    expect(reportEventBody.safeParse({ ...minimal, reportedAt: '2026-11-22T00:30:00Z' }).success).toBe(true);
  });

  it('refuses a phone field that is not a phone number', () => {
    expect(issuePaths(reportEventBody.safeParse({ ...minimal, reporterPhone: 'call me' }))).toContain('reporterPhone');
  });

  it('refuses a title longer than 80 characters', () => {
    expect(issuePaths(reportEventBody.safeParse({ ...minimal, title: '长'.repeat(81) }))).toContain('title');
    expect(reportEventBody.safeParse({ ...minimal, title: '长'.repeat(80) }).success).toBe(true);
  });
});

describe('transition bodies', () => {
  it('accepts a note, an assignee and an expected version', () => {
    expect(transitionBody.parse({ note: ' 已派 ', assigneeId: 'w-1', expectedVersion: 3 })).toEqual({ note: '已派', assigneeId: 'w-1', expectedVersion: 3 });
  });

  it('refuses a satisfaction outside 1 to 5 and unknown fields', () => {
    expect(issuePaths(transitionBody.safeParse({ satisfaction: 6 }))).toContain('satisfaction');
    expect(issuePaths(transitionBody.safeParse({ satisfaction: 2.5 }))).toContain('satisfaction');
    expect(transitionBody.safeParse({ status: 'closed' }).success).toBe(false);
  });

  it('knows every lifecycle action as a route parameter and nothing else', () => {
    expect(actionParam.safeParse('dispatch').success).toBe(true);
    expect(actionParam.safeParse('delete').success).toBe(false);
  });
});

describe('listing events', () => {
  it('defaults to 50 a page', () => {
    expect(listEventsQuery.parse({})).toEqual({ limit: 50 });
  });

  it('reads comma-separated filters into lists, ignoring spaces and empty items', () => {
    const q = listEventsQuery.parse({ status: 'reported, accepted,,', category: 'fire,care', grid: 'g1,g2', overdue: 'true', limit: '20', cursor: '1234' });
    expect(q).toEqual({
      status: ['reported', 'accepted'], category: ['fire', 'care'], grid: ['g1', 'g2'], overdue: true, limit: 20, cursor: '1234',
    });
  });

  it('reads overdue=false as false', () => {
    expect(listEventsQuery.parse({ overdue: 'false' }).overdue).toBe(false);
  });

  it('refuses a status or category that does not exist', () => {
    expect(issuePaths(listEventsQuery.safeParse({ status: 'reported,lost' }))).toContain('status.1');
    expect(issuePaths(listEventsQuery.safeParse({ category: 'weather' }))).toContain('category.0');
  });

  it('refuses an empty filter', () => {
    expect(issuePaths(listEventsQuery.safeParse({ status: ',' }))).toContain('status');
  });

  it('refuses a cursor that did not come from a previous page', () => {
    expect(issuePaths(listEventsQuery.safeParse({ cursor: 'abc' }))).toEqual(['cursor']);
    expect(issuePaths(listEventsQuery.safeParse({ cursor: '-5' }))).toEqual(['cursor']);
  });

  it('refuses a page size outside 1 to 500', () => {
    expect(issuePaths(listEventsQuery.safeParse({ limit: '0' }))).toEqual(['limit']);
    expect(issuePaths(listEventsQuery.safeParse({ limit: '501' }))).toEqual(['limit']);
    expect(issuePaths(listEventsQuery.safeParse({ limit: 'ten' }))).toEqual(['limit']);
  });

  it('refuses a parameter it does not know', () => {
    expect(listEventsQuery.safeParse({ sort: 'desc' }).success).toBe(false);
  });
});

describe('subscribing to live data', () => {
  it('accepts a screen subscription that resumes from a seq', () => {
    expect(subscribeRequest.parse({ view: 'screen', since: 42, dbId: 'abc' })).toEqual({ view: 'screen', since: 42, dbId: 'abc' });
  });

  it('refuses a negative or fractional seq', () => {
    expect(subscribeRequest.safeParse({ view: 'screen', since: -1 }).success).toBe(false);
    expect(subscribeRequest.safeParse({ view: 'screen', since: 1.5 }).success).toBe(false);
  });
});
