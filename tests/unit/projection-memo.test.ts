/**
 * A snapshot projects only the events that changed since the last one (displayEvent): the
 * same event object at the same version gets the same view back; a new version, another time
 * zone or a name learnt since (the public audience) gets a fresh projection, so a wall never
 * receives a name the masker has come to know.
 */
import { describe, expect, it } from 'vitest';
import { displayEvent, projectEvent, projectPublicEvent, type EventRecord, type ViewContext } from '../../server/events/record.ts';
import { CATEGORIES } from '../../shared/taxonomy.ts';
import { STATUSES } from '../../shared/lifecycle.ts';
import type { PublicEventView } from '../../shared/protocol.ts';
import { NameMasker } from '../../shared/mask.ts';

const now = Date.UTC(2026, 10, 22, 6, 0);
const event = (over: Partial<EventRecord> = {}): EventRecord => ({
  id: 7, code: '20261122000007', communityId: 'guihua', gridId: 'G01', category: 'environment', subcategory: 'garbage',
  urgency: 'normal', source: 'hotline', title: '李秀英家门口垃圾堆放', description: '两天未清运。',
  address: '桂花苑3幢2单元501室', lat: 30.28, lng: 120.11, reporterName: null, reporterPhone: null, externalId: null,
  status: 'dispatched', assigneeId: 'W01', pending: null, shelvedFrom: null, shelvedAt: null, reportedAt: now - 9e6,
  acceptedAt: now - 8e6, dispatchedAt: now - 7e6, resolvedAt: null, closedAt: null, reviewedAt: null, dispatchDueAt: now - 6e6,
  handleDueAt: now + 6e7, onTime: null, satisfaction: null, overdue: false, remindedAt: null, remindedDue: null,
  escalatedAt: null, version: 3, updatedAt: now, ...over,
});

function context() {
  const masker = new NameMasker([]);
  let generation = 0;
  const ctx: ViewContext = {
    timeZone: 'Asia/Shanghai', workerName: () => '王丽萍', names: () => masker, namesGeneration: () => generation,
  };
  return { ctx, learn: (name: string) => { masker.add([name]); generation++; } };
}

describe('projecting an event once per change', () => {
  it('hands the same view back for the same event until it changes', () => {
    const { ctx } = context();
    const e = event();
    const first = displayEvent(e, 'public', ctx);
    expect(displayEvent(e, 'public', ctx)).toBe(first);
    const changed = event({ version: 4, status: 'in_progress', updatedAt: now + 1000 });
    const second = displayEvent(changed, 'public', ctx);
    expect(second).not.toBe(first);
    expect(second.status).toBe('in_progress');
  });

  it('masks a name learnt after the first projection at the next one', () => {
    const { ctx, learn } = context();
    const e = event();
    expect(displayEvent(e, 'public', ctx).title).toContain('李秀英');
    learn('李秀英');
    const again = displayEvent(e, 'public', ctx);
    expect(again.title).not.toContain('李秀英');
    expect(again.title).toContain('李*');
  });

  it('keeps the audiences apart', () => {
    const { ctx } = context();
    const e = event({ reporterName: '陈静', reporterPhone: '13812345678' });
    const staff = displayEvent(e, 'staff', ctx) as ReturnType<typeof projectEvent>;
    const wall = displayEvent(e, 'public', ctx);
    expect(staff.reporterPhone).toBe('13812345678');
    expect('reporterPhone' in wall).toBe(false);
    expect(displayEvent(e, 'staff', ctx)).toBe(staff);
  });
});

describe("a wall's lean projection", () => {
  it('is the public projection cut down to what a wall receives, for every category, status and kind of text', () => {
    const { ctx, learn } = context();
    learn('李秀英');
    const keys: (keyof PublicEventView)[] = ['id', 'code', 'gridId', 'category', 'status', 'title', 'lat', 'lng', 'overdue', 'closedAt', 'updatedAt', 'version'];
    let n = 0;
    for (const c of CATEGORIES) {
      for (const sub of [null, ...c.subcategories.map((x) => x.code)]) {
        for (const status of STATUSES) {
          n++;
          const e = event({
            id: n, category: c.code, subcategory: sub, status, title: `住户陈静(13812345678)说李秀英家门口${c.zh}`, reporterName: '陈静',
            closedAt: status === 'closed' ? now - 1000 : null, overdue: n % 3 === 0, gridId: n % 5 ? 'G02' : null,
          });
          const full = projectEvent(e, 'public', ctx) as unknown as Record<string, unknown>;
          const cut = Object.fromEntries(keys.map((k) => [k, full[k]]));
          expect(projectPublicEvent(e, ctx), `${c.code}/${sub}/${status}`).toEqual(cut);
        }
      }
    }
    expect(n).toBeGreaterThan(300);
  });
});
