/**
 * A socket is somebody or nothing: a display token gets the masked public view, a staff
 * session the full one, and a socket that says nothing is refused at the handshake.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect } from 'socket.io-client';
import type { SubscribeResult } from '../../shared/protocol.ts';
import { openSocket, post, sampleReport, startServer, type TestServer } from '../support/server.ts';

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
});
