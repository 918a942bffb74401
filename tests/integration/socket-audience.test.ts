/**
 * A socket is somebody or nothing: a display token gets the masked public view, a staff
 * session the full one (or, showing the wall, the public one it asks for), and a socket that
 * says nothing is refused at the handshake.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect } from 'socket.io-client';
import type { SubscribeResult } from '../../shared/protocol.ts';
import type { Batch } from '../../shared/protocol.ts';
import { loginAs, openSocket, post, sampleReport, startServer, type TestServer } from '../support/server.ts';

describe('the audience of a socket', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer();
    await post(`${server.url}/api/v1/events`, sampleReport());
  });
  afterAll(() => server.stop());

  it('refuses a socket that does not say who it is, at the handshake', async () => {
    const socket = connect(server.url, { transports: ['websocket'], forceNew: true, reconnection: false });
    try {
      const err = await new Promise<Error>((resolve, reject) => {
        socket.on('connect_error', resolve);
        socket.on('connect', () => reject(new Error('connected without credentials')));
      });
      expect(err.message).toBe('error.unauthenticated');
    } finally {
      socket.close();
    }
  });

  it('refuses the old way of asking for the staff view without a session', async () => {
    const socket = connect(server.url, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { audience: 'staff' } });
    try {
      const err = await new Promise<Error>((resolve, reject) => {
        socket.on('connect_error', resolve);
        socket.on('connect', () => reject(new Error('connected without credentials')));
      });
      expect(err.message).toBe('error.unauthenticated');
    } finally {
      socket.close();
    }
  });

  it('gives a paired display the masked public view, never the reporter', async () => {
    const socket = openSocket(server.url, { display: true, reconnection: false });
    try {
      const r: SubscribeResult = await socket.timeout(5_000).emitWithAck('subscribe', { view: 'screen' });
      expect(r.ok && r.mode).toBe('snapshot');
      const json = JSON.stringify(r);
      expect(json).toContain('桂花苑3幢'); // the event is there…
      expect(json).not.toContain('王建国'); // …without its reporter
      expect(json).not.toContain('13812345678');
      expect(json).not.toContain('reporterPhone');
    } finally {
      socket.close();
    }
  });

  it('gives a staff session the full view', async () => {
    const socket = openSocket(server.url, { reconnection: false });
    try {
      const r: SubscribeResult = await socket.timeout(5_000).emitWithAck('subscribe', { view: 'screen' });
      expect(r.ok && r.mode).toBe('snapshot');
      expect(JSON.stringify(r)).toContain('王建国');
    } finally {
      socket.close();
    }
  });

  it.each(['admin', 'dispatcher'] as const)('gives a %s showing the wall the masked public view, in the snapshot and in later batches', async (role) => {
    const socket = openSocket(server.url, { as: await loginAs(server.url, role), reconnection: false });
    const batches: Batch[] = [];
    socket.on('batch', (b) => batches.push(b));
    try {
      const r: SubscribeResult = await socket.timeout(5_000).emitWithAck('subscribe', { view: 'screen', audience: 'public' });
      expect(r.ok && r.mode).toBe('snapshot');
      const snapshot = JSON.stringify(r);
      expect(snapshot).toContain('桂花苑3幢');
      expect(snapshot).not.toContain('王建国');
      expect(snapshot).not.toContain('13812345678');
      expect(snapshot).not.toContain('reporterPhone');

      // A new report reaches this socket through the public room: masked there too.
      const made = await post(`${server.url}/api/v1/events`, sampleReport({ reporterName: '李秀英', reporterPhone: '13900001111', title: '李秀英家门口路灯不亮', description: '李秀英反映路灯不亮，电话13900001111。' }));
      expect(made.status).toBe(201);
      await expect.poll(() => batches.some((b) => b.entries.some((e) => e.event.id === made.body.event.id)), { timeout: 5_000 }).toBe(true);
      const sent = JSON.stringify(batches);
      expect(sent).not.toContain('李秀英');
      expect(sent).not.toContain('13900001111');
      expect(sent).toContain('李*');

      // A resubscribe (a reconnect) replays in the public view as well.
      const again: SubscribeResult = await socket.timeout(5_000).emitWithAck('subscribe', {
        view: 'screen', audience: 'public', since: 0, dbId: r.ok && r.mode === 'snapshot' ? r.snapshot.dbId : '',
      });
      expect(again.ok).toBe(true);
      expect(JSON.stringify(again)).not.toContain('13900001111');
    } finally {
      socket.close();
    }
  });

  it('refuses a request for any audience other than the public one, naming the field', async () => {
    const socket = openSocket(server.url, { display: true, reconnection: false });
    try {
      const r: SubscribeResult = await socket.timeout(5_000).emitWithAck('subscribe', { view: 'screen', audience: 'staff' } as never);
      expect(r.ok).toBe(false);
      expect(!r.ok && r.error).toBe('error.validation');
      expect(!r.ok && r.issues?.map((i) => i.field)).toEqual(['audience']);
    } finally {
      socket.close();
    }
  });
});
