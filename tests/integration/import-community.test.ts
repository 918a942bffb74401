import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.ts';
import { createCerebellum, type Cerebellum } from '../../server/app.ts';
import { gridsGeoJson } from '../../server/demo/community.ts';
import { TEST_PASSWORD, logIn, request, tempDataDir } from '../support/server.ts';

const tsx = path.resolve('node_modules/.bin/tsx');
const importFile = (file: string, dataDir: string) =>
  spawnSync(tsx, ['server/import-community.ts', file], { env: { ...process.env, DATA_DIR: dataDir }, encoding: 'utf8' });

const community = {
  id: 'xinhua', name: { zh: '新华社区', en: 'Xinhua Community' }, timeZone: 'Asia/Shanghai', center: [120.118, 30.289],
  grids: gridsGeoJson(),
  workers: [{ id: 'XW01', name: '李娜', phone: '13800000000', gridId: 'G01' }],
};

describe('importing a community from a file', () => {
  let app: Cerebellum | undefined;
  afterAll(() => app?.close());

  it('lets npm start run on a real community without the demo', async () => {
    const dataDir = tempDataDir();
    const file = path.join(dataDir, 'community.json');
    fs.writeFileSync(file, JSON.stringify(community));
    const r = importFile(file, dataDir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('新华社区');
    app = createCerebellum({
      config: loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', SCRYPT_COST: '1024' }, []), logger: pino({ level: 'silent' }),
    });
    const url = `http://127.0.0.1:${await app.listen()}`;
    // The first start asks for its first administrator, in the imported community.
    const token = app.auth.beginSetup();
    expect(token).toBeTruthy();
    const setup = await request(`${url}/api/v1/auth/setup`, {
      method: 'POST', as: null, body: { token, username: 'li.na', displayName: '李娜', password: TEST_PASSWORD },
    });
    expect(setup.status, JSON.stringify(setup.body)).toBe(201);
    expect(setup.body.user.communityId).toBe('xinhua');
    const as = await logIn(url, 'li.na', TEST_PASSWORD);
    const grids = await request(`${url}/api/v1/grids`, { as });
    expect(grids.body.features).toHaveLength(10);
    expect((await request(`${url}/api/v1/community`, { as })).body.name.zh).toBe('新华社区');
    expect((await request(`${url}/api/v1/workers`, { as })).body.items.map((w: { name: string }) => w.name)).toEqual(['李娜']);
  });

  it('refuses a bad file, naming what is wrong, and writes nothing', () => {
    const dataDir = tempDataDir();
    const file = path.join(dataDir, 'bad.json');
    const bad = structuredClone(community) as any;
    bad.timeZone = 'Mars/Olympus';
    bad.workers[0].gridId = 'NOPE';
    bad.grids.features[0].geometry.coordinates[0].pop(); // the ring no longer closes
    fs.writeFileSync(file, JSON.stringify(bad));
    const r = importFile(file, dataDir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('timeZone');
    expect(r.stderr).toContain('workers[0].gridId');
    expect(r.stderr).toContain('must end where it starts');
    expect(fs.existsSync(path.join(dataDir, 'cerebellum.db'))).toBe(false);
  });

  it('refuses control and text-direction characters in names, as every other name is', () => {
    const dataDir = tempDataDir();
    const file = path.join(dataDir, 'hostile.json');
    const bad = structuredClone(community) as any;
    bad.workers[0].name = '王丽\u202E萍';
    bad.grids.features[0].properties.name_zh = '第一\u0000网格';
    fs.writeFileSync(file, JSON.stringify(bad));
    const r = importFile(file, dataDir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('workers[0].name');
    expect(r.stderr).toContain('text-direction');
    expect(r.stderr).toContain('name_zh');
    expect(fs.existsSync(path.join(dataDir, 'cerebellum.db'))).toBe(false);
  });
});
