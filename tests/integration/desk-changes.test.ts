/**
 * The desks' change notes over real HTTP and real sockets: when a colleague registers a
 * volunteer or checks one in, every signed-in console of the community hears which records
 * changed (`desk:changed`), with nothing personal in the note; a wall's display hears nothing
 * of it, and a write the server refused tells nobody.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeskChanged } from '../../shared/protocol.ts';
import { loginAs, openSocket, request, startServer, until, type TestServer, type TestSocket } from '../support/server.ts';

let ts: TestServer;
let api: string;
let staff: TestSocket;
let wall: TestSocket;
const heard: DeskChanged[] = [];
const wallHeard: DeskChanged[] = [];

const connected = (s: TestSocket) =>
  new Promise<void>((resolve, reject) => (s.once('connect', () => resolve()), s.once('connect_error', reject)));

beforeAll(async () => {
  ts = await startServer();
  api = `${ts.url}/api/v1`;
  const coordinator = await loginAs(ts.url, 'coordinator');
  staff = openSocket(ts.url, { as: coordinator, reconnection: false });
  staff.on('desk:changed', (n) => heard.push(n));
  wall = openSocket(ts.url, { display: true, reconnection: false });
  wall.on('desk:changed', (n) => wallHeard.push(n));
  await Promise.all([connected(staff), connected(wall)]);
});
afterAll(async () => {
  staff?.close();
  wall?.close();
  await ts?.stop();
});

describe('a desk hears what a colleague changed', () => {
  it('a console hears a volunteer registered, by entity and id, and never the name or phone', async () => {
    const r = await request(`${api}/volunteers`, { method: 'POST', body: { name: '欧阳娜娜', phone: '13912345678' } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const id = r.body.volunteer.id as number;
    await until(() => heard.some((n) => n.changes.some((c) => c.entity === 'volunteer' && c.id === id)), 'the note of the registration');
    const note = heard.find((n) => n.changes.some((c) => c.id === id))!;
    expect(note.entities).toContain('volunteer');
    expect(JSON.stringify(note)).not.toMatch(/欧阳|1391234/);
  });

  it('a wall display hears none of it', async () => {
    await new Promise((r) => setTimeout(r, 200));
    expect(heard.length).toBeGreaterThan(0);
    expect(wallHeard).toEqual([]);
  });

  it('a refused write tells nobody', async () => {
    const before = heard.length;
    const r = await request(`${api}/volunteers`, { method: 'POST', body: { name: '', phone: '1' } });
    expect(r.status).toBe(400);
    await new Promise((r) => setTimeout(r, 300));
    expect(heard.length).toBe(before);
  });
});
