/**
 * A read model that fails to take a commit is rebuilt from the database before the broadcaster
 * announces the commit (server/app.ts, the commit feed's subscribers): the wall that was open
 * and a wall that connects afterwards both show the new event and count it, as the database does.
 * The fault is made by replacing the read model's `apply` for one call: what is tested is the
 * app's recovery, with a real server, real sockets and a real SQLite file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLive, request, sampleReport, startServer, until, type TestServer } from '../support/server.ts';

let ts: TestServer;
beforeAll(async () => {
  ts = await startServer({ admin: true });
});
afterAll(async () => {
  await ts.stop();
});

describe('a read model that fails to take a commit', () => {
  it('is rebuilt from the database, so walls open before and after count the new event', async () => {
    const before = openLive(ts.url, { display: true });
    await until(() => before.client.state.dbId !== null, 'the first snapshot');
    const openBefore = before.client.state.views!.kpis.openNow;

    const model = ts.app.model;
    const apply = model.apply.bind(model);
    let failed = 0;
    model.apply = () => {
      failed++;
      model.apply = apply;
      throw new Error('a counter went wrong');
    };
    const r = await request(`${ts.url}/api/v1/events`, { method: 'POST', body: sampleReport({ title: '楼道堆物' }) });
    expect(r.status).toBe(201);
    const id = r.body.event.id as number;
    expect(failed).toBe(1);

    await until(() => before.client.state.events.has(id), 'the event on the open wall');
    await until(() => before.client.state.views!.kpis.openNow === openBefore + 1, 'the open wall counting it');
    expect(ts.app.model.head).toBe(before.client.state.seq);

    const after = openLive(ts.url, { display: true });
    await until(() => after.client.state.dbId !== null, 'the new wall snapshot');
    expect(after.client.state.events.has(id)).toBe(true);
    expect(after.client.state.views!.kpis.openNow).toBe(openBefore + 1);
    before.close();
    after.close();
  });
});
