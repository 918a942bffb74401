/**
 * A snapshot projects only the events that changed since the last one (projectEventOnce): the
 * same event object at the same version gets the same view back; a new version, another time
 * zone or a name learnt since (the public audience) gets a fresh projection, so a wall never
 * receives a name the masker has come to know.
 */
import { describe, expect, it } from 'vitest';
import { projectEventOnce, type EventRecord, type ViewContext } from '../../server/events/record.ts';
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
    const first = projectEventOnce(e, 'public', ctx);
    expect(projectEventOnce(e, 'public', ctx)).toBe(first);
    const changed = event({ version: 4, status: 'in_progress', updatedAt: now + 1000 });
    const second = projectEventOnce(changed, 'public', ctx);
    expect(second).not.toBe(first);
    expect(second.status).toBe('in_progress');
  });

  it('masks a name learnt after the first projection at the next one', () => {
    const { ctx, learn } = context();
    const e = event();
    expect(projectEventOnce(e, 'public', ctx).title).toContain('李秀英');
    learn('李秀英');
    const again = projectEventOnce(e, 'public', ctx);
    expect(again.title).not.toContain('李秀英');
    expect(again.title).toContain('李*');
  });

  it('keeps the audiences apart', () => {
    const { ctx } = context();
    const e = event({ reporterName: '陈静', reporterPhone: '13812345678' });
    const staff = projectEventOnce(e, 'staff', ctx);
    const wall = projectEventOnce(e, 'public', ctx);
    expect(staff.reporterPhone).toBe('13812345678');
    expect(wall.reporterPhone).toBeUndefined();
    expect(projectEventOnce(e, 'staff', ctx)).toBe(staff);
  });
});
