/**
 * The register never reaches a wall. Residents with every shape of name (two and three
 * characters, compound surnames, minority names with a middle dot, names that are also common
 * words) are put on the register with their phones, ID numbers, house numbers and emergency
 * contacts; then staff type their names, phones, ID numbers and house numbers into the free text that reaches a
 * display. Every payload a paired display receives, and a fresh snapshot, hold none of them; the
 * staff audience keeps the full text, so the check cannot pass by the wall showing nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLive, openSocket, request, startServer, until, type TestServer, type TestSocket } from '../support/server.ts';
import { idOf } from '../support/register.ts';
import { LiveClient } from '../../shared/live-client.ts';
import type { SubscribeResult } from '../../shared/protocol.ts';

let ts: TestServer;
let api: string;
let wallSocket: TestSocket;
let wall: LiveClient;
const wallRaw: string[] = [];
let staff: ReturnType<typeof openLive>;
const staffRaw: string[] = [];

/** Residents, each a different shape of name; the last two are also everyday words. */
const RESIDENTS = [
  { name: '王芳', phone: '13912340001', id: idOf('33010619480101001'), room: '1701' },
  { name: '张建国', phone: '13912340002', id: idOf('33010619500202002'), room: '1702' },
  { name: '欧阳修远', phone: '13912340003', id: idOf('33010619520303003'), room: '1703' },
  { name: '司马懿', phone: '13912340004', id: idOf('33010619540404004'), room: '1704' },
  { name: '阿依古丽·买买提', phone: '13912340005', id: idOf('65010219560505005'), room: '1705' },
  { name: '扎西·顿珠', phone: '13912340006', id: idOf('54010219580606006'), room: '1706' },
  { name: '高山', phone: '13912340007', id: idOf('33010619600707007'), room: '1707' },
  { name: '文明', phone: '13912340008', id: idOf('33010619620808008'), room: '1708' },
];
const CONTACT = '诸葛青云';
const ADDRESS = '隐私路99号1栋';

beforeAll(async () => {
  ts = await startServer();
  api = `${ts.url}/api/v1`;
  wallSocket = openSocket(ts.url, { display: true });
  wallSocket.onAny((_event, payload) => wallRaw.push(JSON.stringify(payload)));
  wall = new LiveClient(wallSocket, { view: 'screen' });
  staff = openLive(ts.url);
  staff.socket.onAny((_event, payload) => staffRaw.push(JSON.stringify(payload)));
  await until(() => !!wall.state.views?.subjects && !!staff.client.state.views, 'the first snapshots');
});
afterAll(async () => {
  wallSocket?.close();
  staff?.close();
  await ts?.stop();
});

async function ok(path: string, body: unknown, status = 201) {
  const r = await request(`${api}${path}`, { method: 'POST', body });
  expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(status);
  return r.body;
}

describe('the register and the wall', () => {
  it('never shows a resident\'s name, phone, ID number or house number, wherever staff type them', async () => {
    const b = (await ok('/register/buildings', { gridId: 'G01', address: ADDRESS, units: 1, floors: 18 })).building;
    for (const r of RESIDENTS) {
      const h = (await ok('/register/households', { buildingId: b.id, room: r.room, kind: 'owner' })).household;
      await ok('/register/residents', {
        householdId: h.id, name: r.name, gender: 'female', birth: '1950', idNumber: r.id, phone: r.phone, relation: 'head', residence: 'resident',
        tags: ['elderly_alone'], emergencyContact: { name: CONTACT, phone: '13700009999', relation: '邻居' },
      });
    }
    // Their names joined the masker's list, the emergency contact's too.
    const known = ts.app.db.prepare('SELECT name FROM known_names').pluck().all() as string[];
    for (const name of [...RESIDENTS.map((r) => r.name), CONTACT]) expect(known, name).toContain(name);

    const events: number[] = [];
    for (const r of [...RESIDENTS, { name: CONTACT, phone: '13700009999', id: idOf('33010619700101009'), room: '1709' }]) {
      const e = (await ok('/events', {
        category: 'environment', title: `${r.name}反映${r.room}室门口堆物`, description: `${r.name}，电话${r.phone}，身份证${r.id}`, gridId: 'G01', source: 'resident',
      })).event;
      events.push(e.id);
      await ok(`/events/${e.id}/accept`, { note: `已联系${r.name}（${r.phone}）` }, 200);
    }
    await until(() => events.every((id) => wall.state.events.has(id)), 'the events on the wall');
    await new Promise((r) => setTimeout(r, 300));

    const fresh = await freshSnapshot();
    const onTheWall = [...wallRaw, JSON.stringify(fresh)].join('\n');
    const secrets = [
      ...RESIDENTS.flatMap((r) => [r.name, r.phone, r.id, `${r.room}室`]), CONTACT, '13700009999', ADDRESS,
    ];
    expect(secrets.filter((s) => onTheWall.includes(s))).toEqual([]);
    // What the wall does show: the title with the name masked.
    expect(wall.state.events.get(events[2]!)!.title).toBe('欧阳**反映某室门口堆物');
    expect(wall.state.events.get(events[4]!)!.title).toBe('阿依******反映某室门口堆物');
    // Staff keep the full text.
    const toStaff = staffRaw.join('\n');
    for (const r of RESIDENTS) expect(toStaff, r.name).toContain(`${r.name}反映${r.room}室门口堆物`);
  });
});

/** The snapshot a wall switched on now would get. */
async function freshSnapshot(): Promise<SubscribeResult> {
  const s = openSocket(ts.url, { display: true, reconnection: false });
  try {
    const r: SubscribeResult = await s.timeout(5_000).emitWithAck('subscribe', { view: 'screen' });
    expect(r.ok && r.mode).toBe('snapshot');
    return r;
  } finally {
    s.close();
  }
}
