/**
 * A volunteer's profile over HTTP: availability given at registration and changed later with
 * PATCH, alongside phone, skills and team; bad input names the field and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, post, send, startServer, type TestServer } from '../support/server.ts';

let ts: TestServer;
let api: string;

beforeAll(async () => {
  ts = await startServer();
  api = `${ts.url}/api/v1`;
});
afterAll(async () => {
  await ts?.stop();
});

async function patch(url: string, body: unknown) {
  return send('PATCH', url, body);
}

describe('a volunteer profile', () => {
  it('keeps the availability given at registration, days in order and without repeats', async () => {
    const r = await post(`${api}/volunteers`, {
      name: '陈可馨', phone: '13900002222', skills: ['理发'], availability: { days: [6, 2, 6], from: '08:30', to: '11:30' },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.volunteer.availability).toEqual({ days: [2, 6], from: '08:30', to: '11:30' });
    const again = await get(`${api}/volunteers/${r.body.volunteer.id}`);
    expect(again.body.volunteer.availability).toEqual({ days: [2, 6], from: '08:30', to: '11:30' });
  });

  it('changes only the fields named, and clears availability with null', async () => {
    const team = (await post(`${api}/volunteers/teams`, { name: '理发服务队' })).body.team;
    const v = (await post(`${api}/volunteers`, {
      name: '周建华', phone: '13900003333', skills: ['家电维修'], availability: { days: [1], from: '18:00', to: '20:00' },
    })).body.volunteer;
    const r = await patch(`${api}/volunteers/${v.id}`, { skills: ['家电维修', '理发'], teamId: team.id });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.volunteer).toMatchObject({ phone: '13900003333', skills: ['家电维修', '理发'], teamId: team.id,
      availability: { days: [1], from: '18:00', to: '20:00' } });
    const cleared = await patch(`${api}/volunteers/${v.id}`, { availability: null, teamId: null });
    expect(cleared.body.volunteer).toMatchObject({ availability: null, teamId: null, skills: ['家电维修', '理发'] });
    expect((await get(`${api}/volunteers/${v.id}`)).body.volunteer.availability).toBeNull();
  });

  it('refuses a window that ends before it starts, a day 8 and an unknown field, naming each, and changes nothing', async () => {
    const v = (await post(`${api}/volunteers`, { name: '吴思远', phone: '13900004444' })).body.volunteer;
    const journal = () => (ts.app.db.prepare('SELECT COUNT(*) AS n FROM journal').get() as { n: number }).n;
    const before = journal();
    const r = await patch(`${api}/volunteers/${v.id}`, { availability: { days: [8], from: '18:00', to: '09:00' }, nickname: '小吴' });
    expect(r.status).toBe(400);
    const fields = r.body.error.issues.map((i: { field: string }) => i.field);
    expect(fields).toEqual(expect.arrayContaining(['availability.days[0]', 'nickname']));
    const window = await patch(`${api}/volunteers/${v.id}`, { availability: { days: [1], from: '18:00', to: '09:00' } });
    expect(window.status).toBe(400);
    expect(window.body.error.issues).toEqual([{ field: 'availability.to', problem: 'must end after it starts' }]);
    expect((await patch(`${api}/volunteers/${v.id}`, {})).status).toBe(400);
    expect((await patch(`${api}/volunteers/999999`, { phone: '13900005555' })).status).toBe(404);
    expect((await patch(`${api}/volunteers/${v.id}`, { teamId: 999999 })).body.error.issues[0].field).toBe('teamId');
    expect(journal()).toBe(before);
    expect((await get(`${api}/volunteers/${v.id}`)).body.volunteer.availability).toBeNull();
  });
});
