/** The demo's register: believable and the same on every start (deterministic), written through the register's services. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server.ts';
import { seedRegister } from '../../server/demo/register.ts';

let ts: TestServer;
const now = Date.parse('2026-03-10T10:00:00+08:00');
beforeAll(async () => {
  ts = await startServer({ now: () => now });
});
afterAll(async () => {
  await ts?.stop();
});

describe('the demo register', () => {
  it('holds a few hundred residents in every grid, with tags, contacts and consent, and seeds once', async () => {
    const seeded = await seedRegister(ts.app.subjectDeps, now);
    expect(seeded!.residents).toBeGreaterThan(200);
    expect(seeded!.residents).toBeLessThan(1000);
    const q = (sql: string) => ts.app.db.prepare(sql).get() as Record<string, number>;
    expect(q('SELECT COUNT(DISTINCT grid_id) AS n FROM residents').n).toBe(ts.app.directory.gridInfos(ts.app.directory.defaultCommunity()!.id).length);
    expect(q("SELECT COUNT(*) AS n FROM residents WHERE tags LIKE '%elderly_alone%'").n).toBeGreaterThan(5);
    expect(q("SELECT COUNT(*) AS n FROM residents WHERE emergency_name IS NOT NULL").n).toBeGreaterThan(20);
    expect(q("SELECT COUNT(*) AS n FROM residents WHERE name LIKE '%·%'").n).toBeGreaterThan(0);
    expect(q("SELECT COUNT(*) AS n FROM residents WHERE consent_by = 'demo'").n).toBeGreaterThan(20);
    expect(q("SELECT COUNT(*) AS n FROM journal WHERE type = 'register.resident.added'").n).toBe(seeded!.residents);
    expect(await seedRegister(ts.app.subjectDeps, now)).toBeNull();
  });
});
