import { afterAll, beforeAll, describe, it } from 'vitest';
import { request, startServer, type TestServer } from '../support/server.ts';

let ts: TestServer;
let api: string;
beforeAll(async () => { ts = await startServer(); api = `${ts.url}/api/v1`; });
afterAll(async () => { await ts?.stop(); });

describe('review', () => {
  it('sweep', async () => {
    const v = await request(`${api}/volunteers`, { method: 'POST', body: { name: '赵六', phone: '13700001111' } });
    const vid = v.body.volunteer.id;
    const item = await request(`${api}/exchange/items`, { method: 'POST', body: { name: '肥皂', pointsCost: 1, stock: 1 } });
    const iid = item.body.item.id;
    const cases: [string, string, unknown?][] = [
      ['POST', `/volunteers/${vid}/certificates`, { from: '2026-01-01', to: '2026-12-32' }],
      ['POST', `/volunteers/${vid}/certificates`, { from: '2026-00-01', to: '2026-01-02' }],
      ['GET', `/exchange/receipts?from=2026-99-99&to=2026-99-99`],
      ['GET', `/exchange/receipts/export?format=csv&from=9999-99-99`],
      ['PATCH', `/exchange/items/${iid}`, { version: 1 }],
      ['POST', `/exchange/items/${iid}/stock`, { quantity: -5, reason: 'damaged' }],
      ['POST', `/exchange/receipts`, { volunteerId: vid, lines: [{ itemId: 999999, quantity: 1 }] }],
      ['POST', `/exchange/receipts`, { volunteerId: 999999, lines: [{ itemId: iid, quantity: 1 }] }],
      ['GET', `/volunteers/card/%00%ff`],
      ['GET', `/volunteers/certificates/ZYZM-2026-000001`],
      ['GET', `/verify/certificates/ZYZM-2026-0000000000000000000001`],
      ['GET', `/needs/export?format=csv&population=nope`],
      ['GET', `/needs?q=%25`],
      ['GET', `/activities/export?format=csv&from=2026-13-01T00:00:00Z`],
      ['GET', `/charity/export?ledger=fund&format=csv&from=2026-01-01T00:00:00%2B08:00`],
      ['GET', `/charity/export?ledger=goods&format=xlsx`],
      ['GET', `/planned-visits?day=2026-02-30`],
      ['POST', `/planned-visits`, { socialWorkerId: 99999, plannedAt: '2026-12-08T10:00:00+08:00' }],
      ['GET', `/projects/99999/summary`],
      ['PATCH', `/cases/99999`, { goals: [] }],
      ['POST', `/volunteers/${vid}/corrections`, { recordId: 99999, hours: 1, reason: 'other' }],
      ['POST', `/volunteers/${vid}/invite`],
      ['POST', `/auth/invitation`, { token: 'a'.repeat(30) }],
      ['GET', `/volunteers/export?format=xlsx&team=99999999999`],
      ['GET', `/volunteers?grid=nope&day=3`],
      ['GET', `/activities/1/candidates?q=%25_`],
      ['GET', `/needs/flow`],
      ['GET', `/orgs/export?format=csv`],
      ['GET', `/cases/export?format=csv`],
      ['GET', `/services/export?format=csv`],
      ['GET', `/projects/export?format=csv`],
      ['GET', `/tasks/export?format=csv`],
      ['GET', `/resources/export?format=xlsx`],
    ];
    for (const [method, path, body] of cases) {
      const r = await request(`${api}${path}`, { method, ...(body !== undefined ? { body } : {}) });
      console.log('SWEEP', r.status, method, path, JSON.stringify(r.body)?.slice(0, 160));
    }
  });
});
